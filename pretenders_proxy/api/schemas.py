"""Request and response bodies of the control API, as pydantic models (and the OpenAPI schemas).

The HTTP mocks' (1.4 and v1), history's and the health check's are here; mail_schemas.py and
cassette_schemas.py hold those of mail and SMTP presets, and of modes and cassettes (the mail
answers the client reads too are in wire/mail.py).
"""

import base64
import binascii
import json
import math
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pretenders_proxy.constants import FOREVER
from pretenders_proxy.errors import ConfigError
from pretenders_proxy.matching.verify import Count
from pretenders_proxy.model.preset import Fault, Preset, Reply, Rule, WsReply, WsScript

type Timeout = float | Literal["FOREVER"]


class MockIn(BaseModel):
    """`POST /http` (1.4): create a mock, or get the live one of that name."""

    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(None, description="Reuse the live mock of this name, or create it.")
    pretender_timeout: Timeout | None = Field(
        None, description="Seconds without traffic before the mock expires, or FOREVER."
    )

    @field_validator("name")
    @classmethod
    def _valid_name(cls, name: str | None) -> str | None:
        if name is not None and (not name or "/" in name):
            raise ValueError("must be a non-empty name without '/'")
        return name

    @field_validator("pretender_timeout")
    @classmethod
    def _positive(cls, timeout: Timeout | None) -> Timeout | None:
        if isinstance(timeout, float) and not (timeout > 0 and math.isfinite(timeout)):
            raise ValueError("must be a positive number of seconds or FOREVER")
        return timeout


class MockOut(BaseModel):
    path: str = Field(description="Where the mock answers on the control port: /mockhttp/<id>.")
    id: str


class SmtpMockOut(BaseModel):
    full_host: str = Field(description="localhost:<port>: the SMTP port of the mock.")
    id: str


class PretenderOut(BaseModel):
    """`GET /http/<id>` (1.4): exactly these five keys."""

    start: str = Field(description="Creation time, local, `YYYY-MM-DD HH:MM:SS.ffffff`.")
    timeout: str = Field(description="`H:MM:SS[.ffffff]`, or FOREVER.")
    last_call: str
    name: str
    protocol: Literal["http", "smtp"]


class RuleIn(BaseModel):
    """What a request must look like; unset parts match anything."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    rule: str = Field("", description='Regex, re.match\'ed against "METHOD /path?query".')
    headers: dict[str, str] | None = Field(None, description="Headers that must be equal.")
    body: str | None = Field(None, description="Regex re.match'ed against the decoded body.")
    data: dict[str, str] | None = Field(None, description="Form fields (urlencoded/multipart).")
    host: str | None = Field(None, description="Regex re.match'ed against the request host.")
    json_body: Any = Field(None, alias="json", description="JSON the body must contain.")

    def to_rule(self) -> Rule:
        return Rule(
            rule=self.rule,
            headers=self.headers or {},
            body=self.body,
            data=self.data,
            host=self.host,
            json=self.json_body,
        )


def rule_from(rule: RuleIn | str, host: str | None) -> Rule:
    """The model rule of a rule object or bare regex, with the top-level `host` shorthand."""
    rule_in = RuleIn(rule=rule) if isinstance(rule, str) else rule
    if host is not None:
        if rule_in.host not in (None, host):
            raise ConfigError("host is given twice (host and rule.host) with different values")
        rule_in = rule_in.model_copy(update={"host": host})
    return rule_in.to_rule()


type HeaderList = list[Annotated[list[str], Field(min_length=2, max_length=2)]]


class ChunkIn(BaseModel):
    """One piece of a streamed reply body, sent `after` seconds after the one before it."""

    model_config = ConfigDict(extra="forbid")
    data: str | None = Field(None, description="The piece as UTF-8 text.")
    data_base64: str | None = Field(None, description="The piece as base64, instead of `data`.")
    after: float = Field(
        0, ge=0, allow_inf_nan=False, description="Seconds after the previous piece is sent."
    )

    def to_chunk(self, number: int) -> tuple[float, bytes]:
        if (self.data is None) == (self.data_base64 is None):
            raise ConfigError(f"chunk {number}: give data or data_base64 (one of them)")
        if self.data is not None:
            return float(self.after), self.data.encode()
        return float(self.after), _base64(self.data_base64 or "", f"chunk {number} data_base64")


class WsReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    on: str = Field(description="A text message from the client, equal to this.")
    send: list[str] = Field(default_factory=list, description="Text messages sent back.")
    close: int | None = Field(None, description="Then close with this code (e.g. 1000).")


class WebSocketIn(BaseModel):
    """A WebSocket conversation the preset's 101 opens, played offline. A client message no
    reply is `on` closes the socket with 1008 and is a miss in history."""

    model_config = ConfigDict(extra="forbid")
    send: list[str] = Field(default_factory=list, description="Sent once the socket opens.")
    replies: list[WsReplyIn] = Field(default_factory=list)
    close: int | None = Field(None, description="Close with this code after `send`.")

    def to_script(self) -> WsScript:
        replies = tuple(WsReply(r.on, tuple(r.send), r.close) for r in self.replies)
        return WsScript(tuple(self.send), replies, self.close)


class PresetIn(BaseModel):
    """A preset (1.4 shape, plus `host`, `text`, `json` and `fault`)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    rule: RuleIn | str = Field("", description="A rule object, or just the rule regex.")
    status: int = Field(200, ge=100, le=999)
    headers: dict[str, str] | HeaderList = Field(
        default_factory=dict, description="Reply headers: an object, or [name, value] pairs."
    )
    body: str | dict[str, Any] | list[Any] = Field(
        "", description="Reply body: base64 text (as in pretenders 1.4), or a JSON object/array."
    )
    text: str | None = Field(None, description="Reply body as UTF-8 text, instead of `body`.")
    times: int | float | str = Field(
        FOREVER, description='How many requests it serves: a number > 0, or "FOREVER".'
    )
    after: float = Field(0, ge=0, description="Seconds to wait before replying.")
    fault: Fault | None = Field(None, description="Instead of replying: reset or empty.")
    host: str | None = Field(None, description="Shorthand for rule.host.")
    chunks: list[ChunkIn] | None = Field(
        None,
        description="Instead of a body: the reply body streamed in pieces, each sent `after` "
        "seconds after the one before (a server-sent event stream, say).",
    )
    websocket: WebSocketIn | None = Field(
        None,
        description="Answer a WebSocket handshake and play this conversation: the status "
        "defaults to 101, with Upgrade and Connection headers added. Played through the proxy "
        "and reverse listeners; /mockhttp/ sends only the 101.",
    )

    def to_preset(self) -> Preset:
        """The model preset; raises ConfigError naming what cannot work."""
        times = parse_times(self.times)  # 1.4 checks times before anything else
        return Preset(rule=rule_from(self.rule, self.host), reply=self._reply(), times=times)

    def _reply(self) -> Reply:
        if self.text is not None and self.body:
            raise ConfigError("give one reply body: body or text, not both")
        pairs = self.headers.items() if isinstance(self.headers, dict) else self.headers
        headers = [(name, value) for name, value in pairs]
        if self.text is not None:
            payload = self.text.encode()
            default_type = "text/plain; charset=utf-8"
        elif isinstance(self.body, dict | list):
            payload = json.dumps(self.body).encode()
            default_type = "application/json"
        else:
            payload, default_type = _base64(self.body), ""
        if default_type and not any(n.lower() == "content-type" for n, _ in headers):
            headers.append(("Content-Type", default_type))
        status, script = self.status, None
        if self.websocket is not None:
            status = status if "status" in self.model_fields_set else 101
            script = self.websocket.to_script()
            names = {name.lower() for name, _ in headers}
            headers += [(n, v) for n, v in _UPGRADE if n.lower() not in names]
        encoded = tuple(_header(name, value) for name, value in headers)
        chunks = self._chunks()
        return Reply(
            status, encoded, payload, float(self.after), self.fault, chunks, websocket=script
        )

    def _chunks(self) -> tuple[tuple[float, bytes], ...]:
        if self.chunks is None:
            return ()
        if self.body or self.text is not None:
            given = "body" if self.body else "text"
            raise ConfigError(f"give one reply body: {given} or chunks, not both")
        return tuple(chunk.to_chunk(number) for number, chunk in enumerate(self.chunks, 1))


_UPGRADE = (("Upgrade", "websocket"), ("Connection", "Upgrade"))


_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_UNSENDABLE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def _header(name: str, value: str) -> tuple[bytes, bytes]:
    """A reply header as bytes; ConfigError for one no HTTP reply can carry."""
    if not _TOKEN.fullmatch(name):
        raise ConfigError(f"reply header name {name!r} is not an HTTP token (letters, digits, -)")
    try:
        raw = value.encode("latin-1")
    except UnicodeEncodeError:
        raise ConfigError(
            f"reply header {name} value {value!r} is not latin-1 text (HTTP headers are bytes)"
        ) from None
    if _UNSENDABLE.search(value):
        raise ConfigError(f"reply header {name} value {value!r} holds control characters")
    return name.encode("ascii"), raw


def parse_times(times: int | float | str) -> int | None:
    """A preset's `times` as the model keeps it (None: forever); ConfigError if it cannot be."""
    if times == FOREVER:
        return None
    if isinstance(times, str):
        raise ConfigError(f'times is {times!r}; it must be a number > 0 or "FOREVER"')
    if not times > 0:
        raise ConfigError(f"Preset has {times} times. Must be greater than zero.")
    return math.ceil(times) if math.isfinite(times) else None


def _base64(text: str, what: str = "body") -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as e:
        plain = "use `text` for a plain body" if what == "body" else "use `data` for text"
        raise ConfigError(f"{what} is not valid base64 ({e}); {plain}") from e


class VerifyIn(BaseModel):
    """Which requests to count (the preset rule vocabulary) and how many are expected."""

    model_config = ConfigDict(extra="forbid")
    rule: RuleIn | str = Field("", description="A rule object, or just the rule regex.")
    host: str | None = Field(None, description="Shorthand for rule.host.")
    session: str | None = Field(None, description="The session (default: ?session= or default).")
    times: int | None = Field(None, ge=0, description="Exactly this many.")
    at_least: int | None = Field(None, ge=0)
    at_most: int | None = Field(None, ge=0)
    wait: float | None = Field(None, description="Seconds to wait for the count to hold.")

    def to_rule(self) -> Rule:
        return rule_from(self.rule, self.host)

    def to_count(self) -> Count:
        return Count(self.times, self.at_least, self.at_most)


class VerifyOut(BaseModel):
    ok: bool
    count: int = Field(description="How many requests matched.")
    matched: list[int] = Field(description="Their ids.")
    dropped: int = Field(description="Requests the session let go past --history-limit.")


class PresetOut(BaseModel):
    id: int
    session: str
    rule: dict[str, Any]
    status: int
    headers: list[list[str]]
    body: str = Field(description="base64")
    text: str | None = Field(description="The body as text, when it is UTF-8.")
    times: int | str
    remaining: int | str
    served: int
    after: float
    fault: str | None
    chunks: list["ChunkOut"] | None = Field(
        None, description="The pieces a streamed reply sends (the body is their join), or None."
    )
    websocket: dict[str, Any] | None = Field(
        None, description="The WebSocket conversation it plays, as posted."
    )


class ChunkOut(BaseModel):
    after: float = Field(description="Seconds after the previous piece.")
    data: str | None = Field(description="The piece as text, when it is UTF-8.")
    data_base64: str


class SessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    timeout: Timeout | None = Field(None, description="Seconds idle before it expires.")
    proxy_port: bool = Field(
        False,
        description="Also open a forward-proxy port of this session's own: what arrives there is "
        "this session's without proxy credentials (for Java and other clients that send none). "
        "It closes when the session goes; with a shared store it listens on this instance only.",
    )
    record_history: bool | None = Field(
        None,
        description="false: keep no history of requests (for load tests that never verify): "
        "they are answered and counted (requests_seen), and listing, verifying or waiting on "
        "them is refused with a 409. Given, it is set on the live session of that name too "
        "(false forgets what it kept; true records from then on); left out, a new session "
        "keeps history and a live one keeps its setting. Mail is kept either way.",
    )


class SessionOut(BaseModel):
    name: str
    protocol: str
    started: str
    last_call: str
    timeout: float | None
    presets: int
    requests: int
    dropped: int
    mails: int
    mails_dropped: int
    record_history: bool = Field(description="Whether its requests are kept in history.")
    requests_seen: int = Field(
        description="Requests it answered since it was made, kept in history or not."
    )
    proxy_port: int | None = Field(
        description="The session's own forward-proxy port on this instance, null when it has none."
    )


class ReplyOut(BaseModel):
    """What a request was answered with, as history keeps it."""

    status: int
    reason: str = Field(description="The reason phrase (empty when none was sent).")
    headers: list[list[str]] = Field(description="[name, value] pairs in wire order.")
    trailers: list[list[str]] = Field(
        default_factory=list,
        description="[name, value] pairs sent after the body (HTTP/2; a gRPC call's "
        "grpc-status and grpc-message), empty when none.",
    )
    body: str | None = Field(
        description="The body as text (gzip or deflate Content-Encoding undone) when it is "
        "UTF-8 without NUL bytes, at most its first 64 KiB; null when binary (a gRPC call's)."
    )
    body_base64: str = Field(
        description="The body as sent (still content-encoded), at most the first 64 KiB."
    )
    encoding: str | None = Field(description="The Content-Encoding, if any.")
    size: int = Field(description="Size in bytes of the whole body as sent.")
    truncated: bool = Field(description="Whether history kept only the first 64 KiB of the body.")


class WsMessageOut(BaseModel):
    from_client: bool = Field(description="Sent by the client (else by the server).")
    type: Literal["text", "binary"]
    at: float = Field(description="Seconds after the 101.")
    size: int = Field(description="Size in bytes of the whole message.")
    text: str | None = Field(description="A text message, at most its first 4 KiB; else null.")
    data_base64: str = Field(description="The message, at most its first 4 KiB.")
    truncated: bool = Field(description="History kept only the first 4 KiB of the message.")


class WebSocketOut(BaseModel):
    messages: list[WsMessageOut] = Field(
        description="The messages both ways, in order (history keeps the first 1000)."
    )
    total: int = Field(description="How many messages there were.")
    close_code: int | None = Field(description="The close code; null if it never closed.")
    close_reason: str
    closed_by_client: bool | None
    cut: str | None = Field(description="Why it ended before a close frame, if it did.")


class RequestOut(BaseModel):
    id: int
    time: str
    session: str
    method: str
    url: str
    path: str
    query: str
    headers: list[list[str]]
    body: str | None = Field(description="The body as text if UTF-8, at most its first 64 KiB.")
    body_base64: str = Field(description="The body, at most its first 64 KiB.")
    body_size: int = Field(description="Size in bytes of the whole body as received.")
    body_truncated: bool = Field(description="History kept only the first 64 KiB of the body.")
    source: Literal["preset", "cassette", "upstream", "miss", "error"] = Field(
        description="Who answered; error: nothing did, the request was refused before the "
        "decision (malformed) or the client's TLS handshake with pretenders failed."
    )
    protocol: Literal["http", "websocket", "tcp", "tls", "udp", "dns"] = Field(
        description="What it was: an HTTP request (websocket: an upgrade to one), or a "
        "connection of another protocol, shown as CONNECT to its host and port, its first bytes "
        "as the body."
    )
    status: int | None
    duration_ms: float
    preset: int | None
    miss: str | None
    error: str | None
    stale: str | None = Field(
        None,
        description="The recording that matched was older than the session's max-age: when it "
        "was recorded and how old (source cassette: played anyway; miss: refused; upstream: "
        "recorded again).",
    )
    response: ReplyOut | None = Field(
        description="The answer sent; null when none went out (a fault, an upstream failure)."
    )
    websocket: WebSocketOut | None = Field(
        None,
        description="The WebSocket that followed a 101 (its entry appears when it closes); "
        "a client message that nothing answered in replay is a miss entry of its own, the "
        "message as its body.",
    )


class Health(BaseModel):
    status: Literal["ok", "degraded"] = Field(
        description="degraded: something does not work (see problems); the listeners still answer."
    )
    version: str
    pid: int = Field(
        description="The process that answered: with --workers N, one of the N (each a whole "
        "pretenders on the shared store)."
    )
    listeners: dict[str, str]
    sessions: int
    waiting: int = Field(description="Long-polls (wait=) and event streams now waiting.")
    problems: list[str] = Field(
        description="What does not work, e.g. a cassette that cannot be written."
    )
    store: dict[str, str] = Field(
        description="Where sessions live (kind memory or redis, with url and prefix) and its "
        "state: up, or down with the problem."
    )
    secret_headers: list[str] = Field(
        description="Header names whose values the web UI shows masked until clicked: those "
        "recorded as <redacted> (Authorization, Cookie, ... and --redact-header)."
    )
    fast_answers: dict[str, int] = Field(
        description="How many answers each fast lane (mockhttp: the /mockhttp/ one; proxy: the "
        "forward proxy's) wrote itself since start, in this process; 0 with "
        "--plain-mock-replies."
    )


class Problem(BaseModel):
    error: str = Field(description="What is wrong with the request, in a sentence.")
