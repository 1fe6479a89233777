"""mitmproxy flow files (`mitmdump -w`), both ways, through mitmproxy's own FlowReader/Writer.

WebSocket conversations go in mitmproxy's own `flow.websocket` (messages, close code and reason).
What a flow cannot hold natively (the recording notes; chunk timing and cuts, as mitmproxy keeps a
body whole) rides in `flow.metadata["pretenders"]`, which mitmproxy saves and ignores, so
cassette -> flows -> cassette is lossless (message offsets to the microsecond).
"""

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import IO, Any, BinaryIO, cast

from mitmproxy import connection, exceptions, http, websocket
from mitmproxy import io as mitm_io

from pretenders_proxy.cassette.formats.common import Losses, timestamp, timing_of
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.exchange import Exchange, Meta
from pretenders_proxy.model.stream import Conversation, WsMessage
from pretenders_proxy.proxy.convert import request_from_flow, response_from_flow

KEY = "pretenders"
TEXT, BINARY = 1, 2
"""WebSocket opcodes (mitmproxy keeps wsproto's Opcode, an IntEnum)."""


def write(stream: IO[bytes], exchanges: Iterable[Exchange], losses: Losses) -> None:
    writer = mitm_io.FlowWriter(stream)
    for exchange in exchanges:
        writer.add(flow_of(exchange))


def flow_of(exchange: Exchange) -> http.HTTPFlow:
    request, response, meta = exchange.request, exchange.response, exchange.meta
    started = timestamp(meta.recorded_at)
    ended = started + meta.duration_ms / 1000
    address = (request.host.strip("[]"), request.port)
    client = connection.Client(
        peername=("127.0.0.1", 0), sockname=("127.0.0.1", 0), timestamp_start=started
    )
    server = connection.Server(address=address, timestamp_start=started)
    flow = http.HTTPFlow(client, server)
    flow.request = http.Request(
        request.host,
        request.port,
        request.method.encode(),
        request.scheme.encode(),
        b"",
        request.target,
        request.http_version.encode(),
        http.Headers(request.headers),
        request.body,
        None,
        started,
        started,
    )
    flow.response = http.Response(
        response.http_version.encode(),
        response.status,
        response.reason.encode(),
        http.Headers(response.headers),
        response.body,
        None if response.trailers is None else http.Headers(response.trailers),
        ended,
        ended,
    )
    flow.metadata[KEY] = {
        "recorded_at": meta.recorded_at,
        "duration_ms": meta.duration_ms,
        "redacted": list(meta.redacted),
    }
    if response.chunks or response.cut:
        chunks = [[at, size] for at, size in response.chunks]
        flow.metadata[KEY] |= {"chunks": chunks, "cut": response.cut}
    if exchange.websocket is not None:
        flow.websocket = websocket_of(exchange.websocket, ended)
        if exchange.websocket.cut:
            flow.metadata[KEY]["websocket_cut"] = exchange.websocket.cut
    return flow


def websocket_of(talk: Conversation, opened: float) -> websocket.WebSocketData:
    """mitmproxy's WebSocketData of a conversation; messages stamped `opened` + their offset."""
    messages = [
        websocket.WebSocketMessage(TEXT if m.text else BINARY, m.from_client, m.data, opened + m.at)
        for m in talk.messages
    ]
    ended = opened + talk.messages[-1].at if talk.messages else opened
    closed = talk.closed_by_client is not None or talk.close_code is not None
    return websocket.WebSocketData(
        messages=messages,
        closed_by_client=talk.closed_by_client,
        close_code=talk.close_code,
        close_reason=talk.close_reason or None,
        timestamp_end=ended if closed else None,
    )


def read(stream: IO[bytes], losses: Losses) -> Iterator[Exchange]:
    try:
        for flow in mitm_io.FlowReader(cast(BinaryIO, stream)).stream():
            if not isinstance(flow, http.HTTPFlow):
                losses.note(f"{flow.type} flows (not HTTP)")
            elif flow.response is None:
                losses.note("flows without a response")
            else:
                yield exchange_of(flow, losses)
    except exceptions.FlowReadException as e:
        raise CassetteError(f"not a mitmproxy flow file ({e})") from None


def exchange_of(flow: http.HTTPFlow, losses: Losses | None = None) -> Exchange:
    if flow.response is None:
        raise ValueError("a flow without a response is not an exchange")
    losses = Losses() if losses is None else losses
    saved: Any = flow.metadata.get(KEY)
    # The same key holds our addons' tags on a flow saved by `mitmdump -s addons/pretenders.py
    # -w`: notes of ours are only what carries a recording time.
    ours = isinstance(saved, dict) and "recorded_at" in saved
    if ours:
        meta = Meta(
            recorded_at=str(saved.get("recorded_at", "")),
            duration_ms=float(saved.get("duration_ms", 0.0)),
            redacted=tuple(str(name) for name in saved.get("redacted", ())),
        )
    else:
        started = flow.request.timestamp_start
        ended = flow.response.timestamp_end or started
        meta = Meta(
            recorded_at=datetime.fromtimestamp(started, UTC).isoformat(),
            duration_ms=round((ended - started) * 1000, 3),
        )
    request, response = request_from_flow(flow.request), response_from_flow(flow.response)
    notes = saved if ours else {}
    chunks = timing_of(notes.get("chunks"), response.body, "the flow's chunk timing", losses)
    response = replace(response, chunks=chunks, cut=str(notes.get("cut") or ""))
    talk = None
    if flow.websocket is not None:
        opened = flow.response.timestamp_end or flow.request.timestamp_start
        talk = conversation_of(
            flow.websocket, opened, str(notes.get("websocket_cut") or ""), losses
        )
    return Exchange(request, response, meta, talk)


def conversation_of(
    data: websocket.WebSocketData, opened: float, cut: str, losses: Losses
) -> Conversation:
    """A flow's WebSocket messages as a conversation, offsets from `opened` (the 101) to the
    microsecond; messages mitmproxy dropped (never forwarded) are left out and said."""
    messages = []
    for m in data.messages:
        if m.dropped:
            losses.note("WebSocket messages mitmproxy dropped (never forwarded)")
            continue
        at = max(0.0, round(m.timestamp - opened, 6))
        # flow files of mitmproxy 6 and older hold text messages as str: bytes, as today's do
        content = m.content.encode() if isinstance(m.content, str) else m.content
        messages.append(WsMessage(m.from_client, content, m.type == TEXT, at))
    return Conversation(
        tuple(messages), data.close_code, data.close_reason or "", data.closed_by_client, cut
    )
