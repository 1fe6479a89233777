"""Server-wide settings: one frozen value, parsed once from options, read by every part.

Each field declares its option once (`option(...)`): the flags of `serve`, `record` and `replay`
and the `pretenders_*` mitmproxy options are made from these fields. Add an option here.
"""

import ipaddress
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Self

from pretenders_proxy.constants import FOREVER
from pretenders_proxy.errors import ConfigError
from pretenders_proxy.matching.fields import DEFAULT_MATCH_ON
from pretenders_proxy.matching.ignore import parse_ignore
from pretenders_proxy.matching.modes import Mode, OnMiss, OnStale, Repeat, check_replay_speed
from pretenders_proxy.model.hostmap import GRAMMAR, parse_maps
from pretenders_proxy.options import Text, declared, option
from pretenders_proxy.store.history import MAX_BYTES
from pretenders_proxy.store.sessions import MAX_SESSIONS
from pretenders_proxy.store.staleness import parse_max_age, show_duration

DEFAULT_CONFDIR = Path("~/.pretenders")
ANY_PORT = (0, 0)
REPLAY = ("replay",)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_host_name(name: str) -> None:
    """ConfigError unless `name` is a host name or address as a Host header carries it."""
    bare = name[1:-1] if name.startswith("[") and name.endswith("]") else name
    if ":" in bare and not _is_address(bare):
        raise ConfigError(f"--allowed-host {name!r}: give the name without a port")
    if not bare or any(c.isspace() or c in "/?#@[]" for c in bare):
        raise ConfigError(f"--allowed-host {name!r} is not a host name (like pretenders.lan)")


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def parse_port_range(text: str) -> tuple[int, int]:
    """ "8001-8014" -> (8001, 8014); a single port is a range of one; "0": any free port."""
    low, sep, high = text.partition("-")
    try:
        return (int(low), int(high)) if sep else (int(low), int(low))
    except ValueError:
        raise ConfigError(f"port range {text!r} is not like 8001-8014") from None


_SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def parse_size(text: str) -> int:
    """ "64m" -> 67108864; a number of bytes with an optional k, m or g (powers of 1024)."""
    number, unit = text.strip().lower().rstrip("ib") or "0", ""
    if number[-1:] in _SIZE_UNITS:
        number, unit = number[:-1], number[-1]
    try:
        return int(float(number) * _SIZE_UNITS[unit])
    except ValueError:
        raise ConfigError(f"size {text!r} is not like 65536, 64k, 64m or 1g") from None


def show_size(size: int) -> str:
    """67108864 -> "64m": the largest unit that writes `size` whole."""
    for unit in "gmk":
        if size and size % _SIZE_UNITS[unit] == 0:
            return f"{size // _SIZE_UNITS[unit]}{unit}"
    return str(size)


def parse_timeout(text: str) -> float | None:
    """Seconds, or FOREVER (None)."""
    if text.upper() == FOREVER:
        return None
    try:
        seconds = float(text)
    except ValueError:
        raise ConfigError(f"timeout {text!r} is neither seconds nor FOREVER") from None
    if not (seconds > 0 and math.isfinite(seconds)):
        raise ConfigError(f"timeout {text!r} must be a positive number of seconds")
    return seconds


def show_timeout(seconds: float | None) -> str:
    """120.0 -> "120"; None -> FOREVER."""
    if seconds is None:
        return FOREVER
    return str(int(seconds)) if seconds.is_integer() else repr(seconds)


PORT_RANGE = Text(parse_port_range, "{0[0]}-{0[1]}".format)
SIZE = Text(parse_size, show_size)
TIMEOUT = Text(parse_timeout, show_timeout)
DURATION = Text(parse_max_age, show_duration)


@dataclass(frozen=True, slots=True)
class Settings:
    """Where pretenders listens and how it behaves; ports 0 mean "any free port".

    `smtp_port_range` (0, 0) gives each SMTP mock a port the system chooses.
    `cassette_dirs`: cassette paths given through the control API must lie inside one of them
    (the working directory when empty); the command line may name any path.
    `max_body_size`: the largest request body the control API, the mocks and the proxy take
    (413 beyond), and the largest upstream response the proxy takes in (502 when its
    Content-Length says more; a stream goes on to the client, its recording cut there).
    """

    host: str = option(
        "127.0.0.1",
        "Address every listener binds (loopback by default).",
        mitmproxy="pretenders_api_host",
    )
    port: int = option(
        8000,
        "Control API, web UI and /mockhttp/ port (0: any free).",
        mitmproxy="pretenders_api_port",
    )
    proxy_port: int = option(
        8080, "Forward proxy port, for HTTP_PROXY/HTTPS_PROXY.", mitmproxy="listen_port"
    )
    smtp_port: int = option(1025, "SMTP capture port.")
    smtp_port_range: tuple[int, int] = option(
        (8001, 8014),
        "Ports for SMTP mocks created through the API (POST /smtp); 0: any free.",
        text=PORT_RANGE,
    )
    smtp_max_size: int = option(
        25 * 1024 * 1024, "Largest message in bytes the SMTP listeners accept (552 beyond)."
    )
    reverse: tuple[str, ...] = option(
        (),
        "A reverse listener on PORT sending everything to URL, for apps that cannot use a proxy "
        "(repeatable): --reverse https://api.example.com=9001",
        metavar="URL=PORT",
        mitmproxy=None,  # mitmproxy's `mode`, with the host (proxy/master.py)
    )
    stale_period: float = option(
        60.0,
        "Seconds between sweeps removing mocks idle past their timeout.",
        mitmproxy="pretenders_mock_stale_period",
    )
    mock_timeout: float | None = option(
        120.0,
        "Idle seconds before a mock created without a timeout expires, or FOREVER.",
        text=TIMEOUT,
    )
    confdir: Path = option(
        DEFAULT_CONFDIR,
        "Where the CA certificate and key live (created on first start).",
        mitmproxy="confdir",
    )
    log_level: str = option(
        "info", "debug shows every connection; info is quiet on the hot path.", mitmproxy=None
    )
    miss_status: int = option(404, "HTTP status answering a request nothing matched.")
    history_limit: int = option(10_000, "Requests and mails kept per session.")
    history_max_bytes: int = option(
        MAX_BYTES,
        "Bytes of requests, and of mail, kept per session (the oldest go past it; a request "
        "body counts its first 64 KiB, a message whole): 65536, 64k, 64m, 1g.",
        text=SIZE,
    )
    max_sessions: int = option(
        MAX_SESSIONS, "Live sessions the server keeps; creating one more is refused with 429."
    )
    store: str = option(
        "memory",
        "Where sessions live: memory (this process), or a Redis/Valkey that several instances "
        "share: redis://host:6379/0, rediss://... (TLS), unix:///run/redis.sock.",
        envvar="PRETENDERS_STORE",
        metavar="URL",
    )
    store_prefix: str = option(
        "pretenders",
        "The prefix of the shared store's keys: fleets with other prefixes share one Redis.",
        metavar="PREFIX",
    )
    workers: int = option(
        1,
        "Server processes sharing every port (SO_REUSEPORT, Linux), each a whole pretenders on "
        "the shared store, the kernel spreading connections: more than 1 needs --store redis://.",
        envvar="PRETENDERS_WORKERS",
        metavar="N",
        mitmproxy=None,  # a process of mitmdump cannot start others
    )
    max_body_size: int = option(
        64 * 1024 * 1024,
        "Largest request body the control API, mocks and proxy take (413 beyond) and largest "
        "upstream response the proxy keeps (502 when its Content-Length is larger; a stream "
        "goes on to the client, its recording cut there): 65536, 64k, 64m, 1g.",
        mitmproxy="body_size_limit",
        text=SIZE,
    )
    token: str | None = option(
        None,
        "Bearer token for the control API; required off loopback.",
        envvar="PRETENDERS_TOKEN",
        mitmproxy="pretenders_api_token",
    )
    allowed_hosts: tuple[str, ...] = option(
        (),
        "A Host name the control port answers to besides loopback names and addresses and the "
        "bound address (repeatable). Off loopback every Host is answered unless this narrows it.",
        flag="--allowed-host",
        metavar="NAME",
    )
    cassette_dirs: tuple[Path, ...] = option(
        (),
        "Cassette paths given through the control API must lie in DIR (repeatable; relative ones "
        "are taken from the first; default: the working directory). Paths on the command line "
        "may be anywhere.",
        flag="--cassette-dir",
        metavar="DIR",
    )
    upstream_ca: Path | None = option(
        None, "A PEM file of CAs to trust for upstream TLS, besides the system roots."
    )
    map_host: tuple[str, ...] = option(
        (),
        "Send what goes upstream for NAME (any port, or NAME:PORT only) to another address, "
        "recorded, matched and shown under NAME (repeatable): api.example.com=127.0.0.1:9000 "
        "keeps the request's scheme (https stays TLS, with SNI and Host api.example.com); "
        "api.example.com=http://127.0.0.1:9000 speaks plain HTTP to it. "
        f"Grammar: {GRAMMAR}.",
        metavar="SPEC",
    )
    upstream_timeout: float = option(
        60.0,
        "Seconds an upstream may take to answer a request passed through to it; then the client "
        "gets a 502 (0: no limit). A streamed answer may take this long between pieces.",
    )
    header_timeout: float = option(
        60.0,
        "Seconds a client may take over a request head once it has begun, on the control and "
        "proxy ports (like nginx's client_header_timeout); then a 408 and the connection closes.",
    )
    idle_timeout: float = option(
        75.0,
        "Seconds a connection may wait silent for its next request (SMTP: its next command) "
        "before it is closed (like nginx's keepalive_timeout). A long-poll, an event stream or a "
        "preset's delay is the server's wait, never idle.",
    )
    max_connections: int = option(
        512,
        "Connections each listener keeps open at once; more are refused at once (HTTP 503, "
        "SMTP 421). Lowered at start to what the open-file limit allows.",
    )
    plain_mock_replies: bool = option(
        False,
        "Answer /mockhttp/ through aiohttp's request and response objects rather than on the "
        "fast lane, with each preset's reply bytes built once, and every proxied request through "
        "mitmproxy rather than the proxy's fast lane (the same answers, slower; kept to compare "
        "the two).",
        envvar="PRETENDERS_PLAIN_MOCK_REPLIES",
    )
    upstream_insecure: bool = option(
        False,
        "Do not verify upstream TLS certificates at all (says so at start).",
        mitmproxy="ssl_insecure",
    )
    redact_headers: tuple[str, ...] = option(
        (),
        "A header recorded as <redacted>, besides Authorization, Proxy-Authorization, Cookie, "
        "Set-Cookie and X-Api-Key (repeatable).",
        flag="--redact-header",
        metavar="NAME",
    )
    redact_query: tuple[str, ...] = option(
        (), "A query parameter recorded as <redacted> (repeatable).", metavar="NAME"
    )
    regex_timeout: float = option(
        0.02,
        "CPU seconds one regex of a preset (rule, host, body, SMTP recipient) or filter may take "
        "on one request before it counts as no match (logged once per preset); a request stops "
        "trying regexes after four time out. Guards the server against rules that backtrack.",
        metavar="SECONDS",
    )
    ready_file: Path | None = option(
        None,
        "Once everything listens, write JSON here (pid, every listener's address, CA "
        "certificate path, version) for tools; removed when the server stops.",
        metavar="PATH",
    )
    mode: Mode = option(
        Mode.MOCK,
        "mock: presets answer, anything else gets the miss reply; record: anything else goes "
        "upstream and is appended to the cassette; replay: the cassettes answer.",
        flag=None,  # the command: serve, record or replay
    )
    cassettes: tuple[str, ...] = option(
        (),
        "Cassette files: the one to record to, or the ones to replay (in order).",
        flag=None,  # the arguments of record and replay
    )
    on_miss: OnMiss = option(
        OnMiss.ERROR,
        "No recording matches: miss reply (error), go to the real service (passthrough), or go "
        "there and append to the first cassette (record).",
        commands=REPLAY,
    )
    repeat: Repeat = option(
        Repeat.LAST,
        "Equal requests outnumber their recordings: keep answering the last one (last), or "
        "treat the extra ones as misses (never).",
        commands=REPLAY,
    )
    match_on: str | None = option(
        None,
        "Comma-separated fields replay compares: method, scheme, host, port, path, query, body, "
        "header:<Name> (default: the cassette header's match_on, else "
        f"{','.join(DEFAULT_MATCH_ON)}).",
        commands=REPLAY,
    )
    replay_speed: float = option(
        0.0,
        "How fast replay plays a recorded stream: 0 sends every piece at once, 1 keeps the "
        "recorded gaps, 2 plays twice as fast (sessions may set their own).",
        metavar="FACTOR",
    )
    ignore: tuple[str, ...] = option(
        (),
        "A part of requests replay leaves out of matching (repeatable): json:$.meta.timestamp "
        "(a JSONPath: .name, ['name'], [n], [*], ..name), header:X-Request-Id, query:_ts or "
        "form:csrf. A miss lists the parts that differ in this form.",
        metavar="SPEC",
    )
    max_age: float | None = option(
        None,
        "A recording older than this (its recorded_at: 90s, 15m, 12h, 30d, 2w) is stale when "
        "replayed; --on-stale says what then. Recordings without recorded_at are never stale.",
        text=DURATION,
        metavar="DURATION",
    )
    on_stale: OnStale = option(
        OnStale.WARN,
        "A stale recording matched (--max-age): play it and say so in history and the log "
        "(warn), refuse it as a miss (fail), or send the request upstream and record it again "
        "to the first cassette (record).",
    )

    def __post_init__(self) -> None:
        parse_ignore(self.ignore)  # ConfigError naming the bad SPEC
        parse_maps(self.map_host)
        for name in ("port", "proxy_port", "smtp_port"):
            if not 0 <= getattr(self, name) <= 65535:
                raise ConfigError(f"{name} {getattr(self, name)} is not a TCP port (0-65535)")
        low, high = self.smtp_port_range
        if not 0 < low <= high <= 65535 and self.smtp_port_range != ANY_PORT:
            raise ConfigError(f"smtp port range {low}-{high} is not a range of TCP ports")
        if self.smtp_max_size < 1:
            raise ConfigError(f"smtp max size {self.smtp_max_size} must be at least 1 byte")
        if not (self.stale_period > 0 and math.isfinite(self.stale_period)):
            raise ConfigError(f"stale period {self.stale_period} must be a positive number")
        if not 100 <= self.miss_status <= 599:
            raise ConfigError(f"miss status {self.miss_status} is not an HTTP status")
        if self.max_body_size < 1:
            raise ConfigError(f"max body size {self.max_body_size} must be at least 1 byte")
        for name in ("header_timeout", "idle_timeout"):
            seconds = getattr(self, name)
            if not (seconds > 0 and math.isfinite(seconds)):
                raise ConfigError(f"{name.replace('_', ' ')} {seconds} must be a positive number")
        if self.max_connections < 1:
            raise ConfigError(f"max connections {self.max_connections} must be at least 1")
        if not (0 < self.regex_timeout <= 60 and math.isfinite(self.regex_timeout)):
            raise ConfigError(f"regex timeout {self.regex_timeout} must be in (0, 60] seconds")
        check_replay_speed(self.replay_speed, "--replay-speed")
        if self.history_limit < 1:
            raise ConfigError(f"history limit {self.history_limit} must be at least 1")
        for name in self.allowed_hosts:
            check_host_name(name)
        if self.history_max_bytes < 1:
            raise ConfigError(f"history max bytes {self.history_max_bytes} must be at least 1")
        scheme = self.store.partition("://")[0]
        if self.store != "memory" and scheme not in ("redis", "rediss", "unix"):
            raise ConfigError(
                f"--store {self.store!r}: give memory, redis://host:port/db, rediss://... or "
                "unix:///path"
            )
        if not self.store_prefix or any(c in self.store_prefix for c in "{}"):
            raise ConfigError(f"--store-prefix {self.store_prefix!r}: a name without braces")
        if self.workers < 1:
            raise ConfigError(f"--workers {self.workers} must be at least 1")
        if self.max_sessions < 1:
            raise ConfigError(f"max sessions {self.max_sessions} must be at least 1")
        if not is_loopback(self.host) and not self.token:
            raise ConfigError(
                f"the control API would listen on {self.host}, which is not loopback: "
                "set a token (--token or PRETENDERS_TOKEN) so that only you can drive it"
            )

    @classmethod
    def from_options(cls, options: Mapping[str, object], base: "Settings | None" = None) -> Self:
        """Settings from mitmproxy's option values, by option name; a field whose option is not
        there (or has none) keeps its value in `base`, or its default."""
        found = [o for o in declared(cls) if o.mitmproxy and o.mitmproxy in options]
        values = {o.name: o.read(options[str(o.mitmproxy)]) for o in found}
        return replace(base, **values) if isinstance(base, cls) else cls(**values)
