"""Presets: a match rule, a canned reply, how many times it may serve and how late."""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.model.http import Headers, Response
from pretenders_proxy.model.jsonpath import JsonPath, PathError, parse_path
from pretenders_proxy.model.pattern import Pattern
from pretenders_proxy.model.stream import timing_of

type Chunks = tuple[tuple[float, bytes], ...]
"""A streamed reply body: (seconds after the previous piece, or after the headers, data)."""


class Fault(StrEnum):
    """A broken reply: `reset` closes the connection abruptly, `empty` closes without a reply."""

    RESET = "reset"
    EMPTY = "empty"


def compile_pattern(where: str, pattern: str, *, ignore_case: bool = False) -> Pattern:
    """Compile a user's regex, or raise ConfigError naming the field, the pattern and the error."""
    try:
        return Pattern(pattern, ignore_case=ignore_case)
    except (re.error, RecursionError, OverflowError) as e:
        raise ConfigError(f"invalid regex in {where} {pattern!r}: {e}") from e


@dataclass(frozen=True, slots=True)
class Rule:
    """What a request must look like; every part that is set must match (1.4 rules + host, json).

    `rule` is `re.match`ed against "METHOD /path?query"; `headers` must be present with equal
    values; `body` is `re.match`ed against the decoded body; `data` must equal the form fields;
    `host` is `re.match`ed against the request host; `json` must be contained in the JSON body,
    but for keys that are JSON paths (`"$.user.id": 7`, `"$.items[*].sku": "A1"`): some value
    such a path selects must contain the key's value.
    """

    rule: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str | None = None
    data: Mapping[str, str] | None = None
    host: str | None = None
    json: object = None
    rule_re: Pattern = field(init=False, repr=False, compare=False)
    checks: tuple[str, ...] = field(init=False, repr=False, compare=False)
    """The parts that are set (the only ones worth checking), in matcher order."""
    body_re: Pattern | None = field(init=False, repr=False, compare=False)
    host_re: Pattern | None = field(init=False, repr=False, compare=False)
    json_paths: tuple[tuple[JsonPath, object], ...] = field(init=False, repr=False, compare=False)
    """The JSON path keys of `json`, parsed, with the value each must select."""
    json_whole: object = field(init=False, repr=False, compare=False)
    """What the whole body must contain: `json` without its path keys (None: nothing)."""

    def __post_init__(self) -> None:
        # Compiled once here so that no request ever compiles a pattern.
        object.__setattr__(self, "rule_re", compile_pattern("rule", self.rule))
        body_re = compile_pattern("body", self.body) if self.body else None
        object.__setattr__(self, "body_re", body_re)
        host_re = compile_pattern("host", self.host) if self.host else None
        object.__setattr__(self, "host_re", host_re)
        paths, whole = json_rule(self.json)
        object.__setattr__(self, "json_paths", paths)
        object.__setattr__(self, "json_whole", whole)
        parts = {
            "rule": bool(self.rule),
            "host": bool(self.host),
            "headers": bool(self.headers),
            "body": bool(self.body),
            "data": self.data is not None,
            "json": self.json is not None,
        }
        object.__setattr__(self, "checks", tuple(name for name, used in parts.items() if used))

    def uses(self, patterns: list[Pattern]) -> bool:
        """Whether one of `patterns` is one of this rule's regexes."""
        return any(p is self.rule_re or p is self.host_re or p is self.body_re for p in patterns)

    def describe(self) -> str:
        """The parts that are set, as people read them: "rule 'GET /x', host 'api'"."""
        parts = [f"rule {self.rule!r}"]
        if self.host:
            parts.append(f"host {self.host!r}")
        if self.headers:
            parts.append(f"headers {dict(self.headers)!r}")
        if self.body:
            parts.append(f"body {self.body!r}")
        if self.data is not None:
            parts.append(f"form {dict(self.data)!r}")
        if self.json is not None:
            parts.append(f"json {self.json!r}")
        return ", ".join(parts)


def json_rule(wanted: object) -> tuple[tuple[tuple[JsonPath, object], ...], object]:
    """A preset's `json` as (path keys parsed, with their values; what the whole body must
    contain); ConfigError naming a key that starts with $ but is no path."""
    if not isinstance(wanted, Mapping) or not any(str(key).startswith("$") for key in wanted):
        return (), wanted
    paths: list[tuple[JsonPath, object]] = []
    rest: dict[str, object] = {}
    for key, value in wanted.items():
        if not str(key).startswith("$"):
            rest[key] = value
            continue
        try:
            paths.append((parse_path(key), value))
        except PathError as e:
            raise ConfigError(
                f"json path {key!r}: {e} (a body key that starts with $ is written $['$name'])"
            ) from None
    return tuple(paths), rest or None


@dataclass(frozen=True, slots=True)
class WsReply:
    """A WebSocket script's rule: a text message equal to `on` is answered with `send`, then
    the socket is closed with `close` if set."""

    on: str
    send: tuple[str, ...] = ()
    close: int | None = None


@dataclass(frozen=True, slots=True)
class WsScript:
    """A preset's WebSocket conversation: `send` once the socket opens (then close with `close`
    if set), and `replies` to the client's messages, each as often as it comes."""

    send: tuple[str, ...] = ()
    replies: tuple[WsReply, ...] = ()
    close: int | None = None

    def __post_init__(self) -> None:
        for code in (self.close, *(reply.close for reply in self.replies)):
            if code is not None and not (code == 1000 or 3000 <= code <= 4999 or _sendable(code)):
                raise ConfigError(f"close {code} is not a close code a server may send")


def _sendable(code: int) -> bool:
    """RFC 6455 codes 1001-1014 a server may send (not 1004-1006, which are reserved)."""
    return 1001 <= code <= 1014 and code not in (1004, 1005, 1006)


@dataclass(frozen=True, slots=True)
class Reply:
    """The canned answer: status, headers in order, body bytes, a delay, or a fault instead;
    `chunks`, when given, stream the body piece by piece (the body is then their join)."""

    status: int = 200
    headers: Headers = ()
    body: bytes = b""
    after: float = 0.0
    fault: Fault | None = None
    chunks: Chunks = ()
    websocket: WsScript | None = None
    """The WebSocket conversation this 101 opens (played offline, as a recording is)."""
    response: Response = field(init=False, repr=False, compare=False)
    """The response this reply sends, made once (history keeps it for every request served)."""

    def __post_init__(self) -> None:
        if not 100 <= self.status <= 999:
            raise ConfigError(f"status {self.status} is not a three-digit HTTP status")
        if self.after < 0:
            raise ConfigError(f"after {self.after} is negative; it is a delay in seconds")
        if self.websocket is not None and (self.status != 101 or self.fault is not None):
            raise ConfigError("a websocket reply has status 101 and no fault")
        if self.chunks:
            self._check_chunks()
        timing = timing_of(self.chunks)
        response = Response(self.status, self.headers, self.body, chunks=timing)
        object.__setattr__(self, "response", response)

    def _check_chunks(self) -> None:
        if self.body:
            raise ConfigError("give the reply body once: body (or text) or chunks, not both")
        if self.fault is not None:
            raise ConfigError("a fault sends no reply: give fault or chunks, not both")
        if self.websocket is not None:
            raise ConfigError("a websocket reply has no body: give websocket or chunks, not both")
        for number, (after, _) in enumerate(self.chunks, 1):
            if not (after >= 0 and math.isfinite(after)):
                raise ConfigError(f"chunk {number}: after {after} must be seconds >= 0")
        object.__setattr__(self, "body", b"".join(data for _, data in self.chunks))


@dataclass(frozen=True, slots=True)
class Preset:
    """A rule and its reply; `times` None means FOREVER."""

    rule: Rule
    reply: Reply
    times: int | None = None

    def __post_init__(self) -> None:
        if self.times is not None and self.times <= 0:
            raise ConfigError(f"Preset has {self.times} times. Must be greater than zero.")
