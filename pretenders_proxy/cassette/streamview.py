"""Streams as a person reads them in `pretenders cassette show|stats|diff`: chunk counts and
durations, cut streams, WebSocket messages (listed, counted, compared). Pure functions."""

import difflib
from collections.abc import Iterator
from dataclasses import dataclass

from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Response
from pretenders_proxy.model.stream import Conversation, Timing, WsMessage

MAX_LISTED = 200
"""Chunks and messages listed by `show --full`; the rest are counted."""
PREVIEW = 60
"""Characters of a message shown (text), or bytes as hex / 3 (binary)."""


def duration(timing: Timing) -> float:
    """How long a stream lasted: the offset of its last chunk (0 when it came whole)."""
    return timing[-1][0] if timing else 0.0


def chunked(response: Response) -> str:
    """ "3 chunks over 1.250 s", or "not streamed"."""
    if not response.chunks:
        return "not streamed"
    count = len(response.chunks)
    return f"{count} chunk{'s' if count != 1 else ''} over {duration(response.chunks):.3f} s"


def summary(exchange: Exchange) -> str:
    """What `show` adds to an exchange's line: its stream and its conversation, if any."""
    parts = []
    response = exchange.response
    if response.chunks:
        parts.append(chunked(response))
    if response.cut:
        parts.append(f"cut: {response.cut}")
    if exchange.websocket is not None:
        parts.append(f"websocket: {counts(exchange.websocket)}, {closing(exchange.websocket)}")
    return "  ".join(parts)


def counts(conversation: Conversation) -> str:
    sent = sum(m.from_client for m in conversation.messages)
    return f"{sent} sent, {len(conversation.messages) - sent} received"


def closing(conversation: Conversation) -> str:
    """How a conversation ended: "closed by the client: 1000 bye", "cut: ...", "no close"."""
    if conversation.cut:
        return f"cut: {conversation.cut}"
    if conversation.closed_by_client is None and conversation.close_code is None:
        return "no close recorded"
    who = {True: " by the client", False: " by the server", None: ""}
    code = "" if conversation.close_code is None else f" {conversation.close_code}"
    reason = f" {conversation.close_reason}" if conversation.close_reason else ""
    return f"closed{who[conversation.closed_by_client]}:{code}{reason}".rstrip(":")


def details(exchange: Exchange) -> list[str]:
    """What `show --full` adds after the response body: each chunk, each message, the close."""
    lines = []
    response = exchange.response
    if response.chunks or response.cut:
        cut = f"; cut: {response.cut}" if response.cut else ""
        lines += ["", f"# {chunked(response)}{cut}"]
        lines += _listed([f"  +{at:.3f} s  {size} B" for at, size in response.chunks])
    if (talk := exchange.websocket) is not None:
        lines += ["", f"# websocket: {counts(talk)}; {closing(talk)}"]
        lines += _listed([f"  +{m.at:.3f} s  {message(m)}" for m in talk.messages])
    return lines


def _listed(lines: list[str]) -> list[str]:
    more = len(lines) - MAX_LISTED
    return lines[:MAX_LISTED] + ([f"  ... ({more} more)"] if more > 0 else [])


def message(m: WsMessage) -> str:
    """Who sent a message, text or binary, its size and a preview: "client  text   5 B  hi"."""
    sender = "client" if m.from_client else "server"
    kind = "text" if m.text else "binary"
    return f"{sender}  {kind:<6} {len(m.data):>5} B  {preview(m)}".rstrip()


def preview(m: WsMessage) -> str:
    """The start of a message: text with control characters escaped, binary as hex."""
    if not m.text:
        cut = m.data[: PREVIEW // 3]
        return cut.hex(" ") + (" ..." if len(m.data) > len(cut) else "")
    text = m.data.decode("utf-8", "replace")
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:PREVIEW])
    return shown + (" ..." if len(text) > PREVIEW else "")


@dataclass
class StreamStats:
    """Stream counts of a cassette, kept while its exchanges stream past."""

    streamed: int = 0
    chunks: int = 0
    cut: int = 0
    longest: float = 0.0
    conversations: int = 0
    sent: int = 0
    received: int = 0

    def add(self, exchange: Exchange) -> None:
        response, talk = exchange.response, exchange.websocket
        if response.chunks:
            self.streamed += 1
            self.chunks += len(response.chunks)
            self.longest = max(self.longest, duration(response.chunks))
        self.cut += bool(response.cut) + bool(talk is not None and talk.cut)
        if talk is not None:
            self.conversations += 1
            sent = sum(m.from_client for m in talk.messages)
            self.sent += sent
            self.received += len(talk.messages) - sent

    def lines(self) -> list[str]:
        return [
            f"streamed responses: {self.streamed} ({self.chunks} chunks, "
            f"longest {self.longest:.3f} s)",
            f"WebSocket conversations: {self.conversations} ({self.sent} messages sent, "
            f"{self.received} received)",
            f"streams and conversations cut short: {self.cut}",
        ]


def changes(a: Exchange, b: Exchange, *, timing: bool = True) -> Iterator[str]:
    """How two exchanges' streams differ; with `timing` False, offsets alone are no change."""
    yield from _chunk_changes(a.response, b.response, timing)
    if a.response.cut != b.response.cut:
        yield f"response cut: {a.response.cut or '-'} -> {b.response.cut or '-'}"
    left, right = a.websocket, b.websocket
    if left is None or right is None:
        if left is not right:
            yield f"websocket: {_talk(left)} -> {_talk(right)}"
        return
    yield from _message_changes(left, right, timing)
    if (ended := closing(left)) != (ends := closing(right)):
        yield f"websocket end: {ended} -> {ends}"


def _chunk_changes(a: Response, b: Response, timing: bool) -> Iterator[str]:
    if a.chunks == b.chunks:
        return
    same = "same bytes, " if a.body == b.body else ""
    if [size for _, size in a.chunks] != [size for _, size in b.chunks]:
        yield f"response chunks: {same}{chunked(a)} -> {chunked(b)}"
    elif timing:
        moved = _moved([at for at, _ in a.chunks], [at for at, _ in b.chunks])
        yield (
            f"response timing: {same}{len(a.chunks)} chunks of the same sizes, offsets moved by "
            f"up to {moved:.3f} s ({duration(a.chunks):.3f} s -> {duration(b.chunks):.3f} s)"
        )


def _message_changes(a: Conversation, b: Conversation, timing: bool) -> Iterator[str]:
    old, new = [message(m) for m in a.messages], [message(m) for m in b.messages]
    keys = [(m.from_client, m.text, m.data) for m in a.messages]
    if keys != [(m.from_client, m.text, m.data) for m in b.messages]:
        if (was := counts(a)) != (now := counts(b)):
            yield f"websocket messages: {was} -> {now}"
        else:
            yield f"websocket messages: {was}, not the same ones"
        shown = [c for c in difflib.ndiff(old, new) if c[:1] in "+-"][:40]
        yield from (f"websocket {c[:1]} {c[2:]}" for c in shown)
    elif timing and (moved := _moved([m.at for m in a.messages], [m.at for m in b.messages])):
        yield (
            f"websocket timing: the same {len(a.messages)} messages, offsets moved by up to "
            f"{moved:.3f} s"
        )


def _moved(a: list[float], b: list[float]) -> float:
    return max((abs(x - y) for x, y in zip(a, b, strict=True)), default=0.0)


def _talk(conversation: Conversation | None) -> str:
    if conversation is None:
        return "none"
    return f"{len(conversation.messages)} messages"
