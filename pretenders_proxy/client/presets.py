"""Presets as both clients make them: `when(...)` gives a PresetBuilder whose `.reply(...)` or
`.websocket(...)` adds one (the sync client returns what the server made, the async one an
awaitable of it)."""

import base64
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypedDict

from pretenders_proxy.constants import FOREVER

type Headers = dict[str, str] | list[tuple[str, str]]
type Preset = dict[str, Any]


class Match(TypedDict, total=False):
    """What `when(rule, ...)` matches besides the rule."""

    host: str | None
    headers: dict[str, str] | None
    body: str | None
    data: dict[str, str] | None
    json: Any


def match_rule(
    rule: str = "",
    *,
    host: str | None = None,
    headers: dict[str, str] | None = None,
    body: str | None = None,
    data: dict[str, str] | None = None,
    json: Any = None,
) -> dict[str, Any]:
    """A preset's rule, with only the parts given."""
    given = {"headers": headers, "body": body, "data": data, "host": host, "json": json}
    return {"rule": rule} | {k: v for k, v in given.items() if v is not None}


class PresetBuilder[R]:
    """The second half of `when(...)`: `.reply(...)` adds the preset."""

    def __init__(self, add: Callable[[Preset], R], rule: dict[str, Any]) -> None:
        self.add = add
        self.rule = rule

    def reply(
        self,
        body: bytes | str | dict[str, Any] | list[Any] = b"",
        *,
        status: int = 200,
        headers: Headers | None = None,
        times: int | str = FOREVER,
        after: float = 0,
        fault: str | None = None,
        chunks: Sequence[tuple[str | bytes, float]] | None = None,
    ) -> R:
        """Answer matching requests with this reply: bytes, text, or a JSON object/array; or
        streamed in `chunks`, (data, seconds after the previous chunk) each."""
        preset: Preset = {
            "rule": self.rule,
            "status": status,
            "times": times,
            "after": after,
            "headers": headers or {},
        }
        if isinstance(body, bytes):
            preset["body"] = base64.b64encode(body).decode("ascii")
        elif isinstance(body, str):
            preset["text"] = body
        else:
            preset["body"] = body
        if fault is not None:
            preset["fault"] = fault
        if chunks is not None:
            preset["chunks"] = [_chunk(data, gap) for data, gap in chunks]
        return self.add(preset)

    def websocket(
        self,
        *,
        send: Sequence[str] = (),
        replies: Mapping[str, Sequence[str]] | None = None,
        close: int | None = None,
        times: int | str = FOREVER,
    ) -> R:
        """Answer a matching WebSocket handshake and play a conversation, offline: `send` once
        the socket opens (then close with `close`, if given), and to each text message named in
        `replies` its answers; a message no reply names closes the socket with 1008 and is a
        miss. (The API's `websocket` field also closes after a reply.)"""
        answers = [{"on": on, "send": list(sent)} for on, sent in (replies or {}).items()]
        script = {"send": list(send), "replies": answers, "close": close}
        return self.add({"rule": self.rule, "times": times, "websocket": script})


def _chunk(data: str | bytes, after: float) -> dict[str, Any]:
    if isinstance(data, bytes):
        return {"data_base64": base64.b64encode(data).decode("ascii"), "after": after}
    return {"data": data, "after": after}
