"""Streams in HAR, which has no field for them: WebSocket messages as Chrome's DevTools saves
them (`_webSocketMessages` on the entry), and custom fields of ours (HAR allows `_` names): the
close in `_webSocketClose`, a response's chunk timing in `_chunks` and why it was cut in `_cut`.
"""

import base64
import binascii
from typing import Any

from pretenders_proxy.cassette.codec import conversation_from_item
from pretenders_proxy.cassette.formats.common import Json, Losses, raw_of, text, timing_of
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.http import Response
from pretenders_proxy.model.stream import Conversation, Timing

TEXT, BINARY = 1, 2
"""WebSocket opcodes, as Chrome writes them in `_webSocketMessages`."""
SCHEMES = {"http": "ws", "https": "wss"}


def websocket_url(url: str) -> str:
    """A handshake's URL as Chrome saves it: ws:// or wss://."""
    scheme, _, rest = url.partition("://")
    return f"{SCHEMES.get(scheme, scheme)}://{rest}"


def http_url(url: str) -> str:
    """A ws:// or wss:// URL as the HTTP request that opened the socket."""
    scheme, found, rest = url.partition("://")
    back = {ws: http for http, ws in SCHEMES.items()}
    return f"{back[scheme.lower()]}://{rest}" if found and scheme.lower() in back else url


def websocket_fields(talk: Conversation, started: float) -> Json:
    """The entry fields of a conversation: messages at epoch seconds (`started` + offset); text
    as text, binary as base64 (as Chrome does); the close in `_webSocketClose`."""
    messages = [
        {
            "type": "send" if m.from_client else "receive",
            "time": started + m.at,
            "opcode": TEXT if m.text else BINARY,
            "data": text(m.data) if m.text else base64.b64encode(m.data).decode(),
        }
        for m in talk.messages
    ]
    close: Json = {
        "code": talk.close_code,
        "reason": talk.close_reason,
        "closedByClient": talk.closed_by_client,
    }
    if talk.cut:
        close["cut"] = talk.cut
    return {"_resourceType": "websocket", "_webSocketMessages": messages, "_webSocketClose": close}


def conversation_of(item: Json, started: float | None, where: str, losses: Losses) -> Conversation:
    """The conversation of an entry with `_webSocketMessages` (Chrome's or ours). Offsets are
    from `started` (the entry's start; the first message when it has none), to the microsecond;
    control frames and errors, which some tools add, are left out and said."""
    found = item["_webSocketMessages"]
    if not isinstance(found, list):
        raise CassetteError(f"{where}._webSocketMessages is not a list")
    messages = []
    for n, message in enumerate(found):
        at = f"{where}._webSocketMessages[{n}]"
        if not isinstance(message, dict):
            raise CassetteError(f"{at} is not an object")
        kept = _message(message, at, losses)
        if kept is not None:
            messages.append(kept)
    if started is None:
        started = min((m[2] for m in messages), default=0.0)
    for m in messages:
        m[2] = max(0.0, round(m[2] - started, 6))
    close = {} if item.get("_webSocketClose") is None else item["_webSocketClose"]
    if not isinstance(close, dict):
        raise CassetteError(f"{where}._webSocketClose is not an object")
    stored = {
        "messages": messages,
        "close_code": close.get("code"),
        "close_reason": close.get("reason") or "",
        "closed_by_client": close.get("closedByClient"),
        "cut": close.get("cut") or "",
    }
    try:
        return conversation_from_item(stored)
    except CassetteError as e:
        raise CassetteError(f"{where}: {e}") from None


def _message(message: dict[str, Any], at: str, losses: Losses) -> list[Any] | None:
    """[from_client, text, epoch time, data] of a message; None for what is left out."""
    kind, opcode, data, time = (message.get(k) for k in ("type", "opcode", "data", "time"))
    if kind not in ("send", "receive") or opcode not in (TEXT, BINARY):
        losses.note("WebSocket control frames and errors (only messages are kept)")
        return None
    if not isinstance(data, str):
        raise CassetteError(f"{at}.data is not a string")
    if not isinstance(time, int | float) or isinstance(time, bool):
        raise CassetteError(f"{at}.time is not a number of seconds")
    if opcode == TEXT:
        return [kind == "send", True, float(time), raw_of(data)]
    try:
        return [kind == "send", False, float(time), base64.b64decode(data, validate=True)]
    except (binascii.Error, ValueError):
        raise CassetteError(f"{at}.data is not valid base64 (opcode 2: binary)") from None


def chunk_fields(response: Response, body: bytes, losses: Losses) -> Json:
    """`_chunks` and `_cut` for the HAR response: the timing only when the HAR body is the
    recorded one (a decoded body is no longer in the pieces that arrived)."""
    fields: Json = {}
    if response.chunks and body == response.body:
        fields["_chunks"] = [[at, size] for at, size in response.chunks]
    elif response.chunks:
        losses.note("chunk timing of encoded bodies (HAR bodies are decoded)")
    if response.cut:
        fields["_cut"] = response.cut
    return fields


def chunks_of(response: Json, body: bytes, where: str, losses: Losses) -> tuple[Timing, str]:
    """The chunk timing and cut a HAR response carries (see common.timing_of)."""
    cut = response.get("_cut") or ""
    if not isinstance(cut, str):
        raise CassetteError(f"{where}._cut is not a string")
    return timing_of(response.get("_chunks"), body, f"{where}._chunks", losses), cut
