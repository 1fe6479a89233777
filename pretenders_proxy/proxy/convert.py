"""The one module that knows both mitmproxy's HTTP objects and the pretenders model."""

import time
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import NamedTuple

from mitmproxy import http
from mitmproxy.net.http import status_codes, url
from mitmproxy.net.http.http1 import assemble_response_head
from wsproto.frame_protocol import CloseReason, Opcode

from pretenders_proxy.model import grpc
from pretenders_proxy.model.exchange import Exchange, Meta
from pretenders_proxy.model.http import Headers, Request, Response
from pretenders_proxy.model.journal import TrafficProtocol
from pretenders_proxy.model.stream import Conversation, Cut, WsMessage, paced, streams
from pretenders_proxy.proxy import internals
from pretenders_proxy.proxy.capture import capture_of


def request_from_flow(request: http.Request) -> Request:
    path, _, query = request.data.path.partition(b"?")
    if request.method == "CONNECT" or not path.startswith(b"/"):
        path = b"/" + path if path and path != b"*" else path
    return Request(
        method=request.method,
        path=path,
        query=query,
        headers=tuple(request.headers.fields),
        body=request.raw_content or b"",
        scheme=request.scheme,
        host=pretty_host(request),
        port=request.port,
        http_version=request.http_version,
    )


def pretty_host(request: http.Request) -> str:
    """`request.pretty_host`, with the Host header's parse kept for the next request."""
    authority = request.host_header
    return _host_of(authority) if authority else request.host


@lru_cache(maxsize=256)
def _host_of(authority: str) -> str:
    # mitmproxy validates the name on every call (idna, a regex): the same few names here
    return url.parse_authority(authority, check=False)[0]


def connection_request(protocol: TrafficProtocol, host: str, port: int, first: bytes) -> Request:
    """A connection that is not HTTP, as history shows it: `CONNECT` to its host and port (the
    scheme says the protocol), with what the client sent first as the body."""
    return Request("CONNECT", b"", body=first, scheme=str(protocol), host=host, port=port)


def refused_request(received: bytes) -> Request:
    """A request head mitmproxy refused before making a flow, as history shows it: its method
    when the first word looks like one (`?` otherwise), the bytes received as the body."""
    word = received.split(b" ", 1)[0]
    method = word.decode() if 0 < len(word) <= 20 and word.isascii() and word.isalpha() else "?"
    return Request(method, b"", body=received)


_SEEN = "_pretenders_request"


def request_of(flow: http.HTTPFlow) -> Request:
    """The flow's request in our model, converted once per flow and shared by the addons.

    Kept in the flow's stash (not in `metadata`, which mitmproxy saves).
    """
    stashed = internals.stash(flow)
    seen: Request | None = stashed.get(_SEEN)
    if seen is None:
        seen = stashed[_SEEN] = request_from_flow(flow.request)
    return seen


def response_from_flow(response: http.Response) -> Response:
    return Response(
        status=response.status_code,
        headers=tuple(response.headers.fields),
        body=response.raw_content or b"",
        reason=response.reason,
        http_version=response.http_version,
        trailers=tuple(response.trailers.fields) if response.trailers else None,
    )


def response_of(flow: http.HTTPFlow, *, preview: int | None = None) -> Response | None:
    """The flow's response in our model; a streamed one (whose body mitmproxy did not keep) with
    the body, the timing of its pieces and its cut as they were captured. `preview`: of a
    streamed body only its first bytes, without the timing (what history keeps)."""
    if flow.response is None:
        return None
    response = response_from_flow(flow.response)
    captured = capture_of(flow)
    if captured is None:
        return response
    cut = str(captured.cut) if captured.cut is not None else ""
    if preview is not None:
        return replace(response, body=bytes(captured.body[:preview]), cut=cut)
    return replace(response, body=bytes(captured.body), chunks=captured.timing, cut=cut)


def flow_response(
    status: int,
    headers: Headers,
    body: bytes,
    reason: str = "",
    trailers: Headers | None = None,
    streamed: bool = False,
    framed: bool = False,
) -> http.Response:
    """A response ready to send: body as given (no re-encoding), framed when its headers do not
    say how: by Content-Length, or chunked when it is `streamed` or has trailers (HTTP/1 sends
    trailers only in a chunked body); nothing added when `framed` (HTTP/2 frames say where a body
    ends, and a gRPC client would read an added Content-Length as trailing metadata)."""
    fields = list(headers)
    names = {name.lower() for name, _ in fields}
    if not framed and b"content-length" not in names and b"transfer-encoding" not in names:
        if streamed or trailers:
            fields.append((b"Transfer-Encoding", b"chunked"))
        else:
            fields.append((b"Content-Length", str(len(body)).encode()))
    now = time.time()
    return http.Response(
        http_version=b"HTTP/1.1",
        status_code=status,
        reason=(reason or status_codes.RESPONSES.get(status, "")).encode(),
        headers=http.Headers(fields),
        content=body,
        trailers=http.Headers(list(trailers)) if trailers else None,
        timestamp_start=now,
        timestamp_end=now,
    )


def reply_to_flow(reply: Response, framed: bool = False) -> http.Response:
    """A reply pretenders made (a preset's, the miss reply), sent as it is: every header kept;
    one streamed in chunks is chunked unless its headers say otherwise (`framed`: see
    `flow_response`)."""
    return flow_response(
        reply.status, reply.headers, reply.body, streamed=bool(reply.chunks), framed=framed
    )


def error_to_flow(flow: http.HTTPFlow, reply: Response, status: grpc.Status) -> http.Response:
    """A miss or failure reply as it is, or to a gRPC call as gRPC error `status` (a gRPC client
    reports any other answer as an HTTP status, without the explanation)."""
    if grpc.is_call(request_of(flow)):
        return reply_to_flow(grpc.as_error(reply, status), framed=flow.request.is_http2)
    return reply_to_flow(reply)


HOP_BY_HOP = frozenset({b"connection", b"keep-alive", b"proxy-connection"})
"""Headers about the recorded connection, not the response: replay leaves them out (a cassette
recorded from a client that sent `Connection: close` would close every replaying connection)."""


def response_to_flow(response: Response, http2: bool = False) -> http.Response:
    """A recorded response, sent as it was received (still content-encoded) with its trailers
    (gRPC's status is in them), minus HOP_BY_HOP; to an `http2` client with no framing header
    added (see `flow_response`)."""
    headers = response.headers
    if any(name.lower() in HOP_BY_HOP for name, _ in headers):
        headers = tuple((name, value) for name, value in headers if name.lower() not in HOP_BY_HOP)
    body, trailers, streamed = response.body, response.trailers, bool(response.chunks)
    return flow_response(
        response.status, headers, body, response.reason, trailers, streamed, framed=http2
    )


def pace(flow: http.HTTPFlow, response: Response, speed: float) -> None:
    """Have `response` (the flow's, as made above) sent in the pieces it came in, each its own
    write, when due at `speed`; one with no pieces, or no body to send, goes whole."""
    if streams(flow.request.method, response.status, response.chunks):
        internals.play(flow, paced(response.body, response.chunks, speed))


def exchange_from_flow(flow: http.HTTPFlow, websocket: Conversation | None = None) -> Exchange:
    """A completed flow as an exchange to record (the flow must have a response), with the
    WebSocket conversation that followed it, if any."""
    response = response_of(flow)
    if flow.response is None or response is None:
        raise ValueError("a flow without a response is not an exchange")
    started = flow.request.timestamp_start
    ended = flow.response.timestamp_end or time.time()
    return Exchange(
        request_of(flow),
        response,
        Meta(
            recorded_at=datetime.fromtimestamp(started, UTC).isoformat(),
            duration_ms=round((ended - started) * 1000, 3),
        ),
        websocket,
    )


def conversation_from_flow(flow: http.HTTPFlow, cut: Cut | None = None) -> Conversation | None:
    """The WebSocket conversation that followed the flow's 101 (None: none did), each message
    timed from the 101. `cut`: why it is taken before the socket closed; a socket that closed
    without a close frame (1006) is cut by whoever went away."""
    websocket = flow.websocket
    if websocket is None:
        return None
    opened = flow.response.timestamp_end if flow.response else None
    opened = opened or flow.request.timestamp_start
    messages = tuple(
        WsMessage(
            m.from_client,
            m.content,
            m.type == Opcode.TEXT,
            round(max(0.0, m.timestamp - opened), 6),
        )
        for m in websocket.messages
    )
    # wsproto gives a CloseReason for known codes: history and the shared store keep the number
    code = None if websocket.close_code is None else int(websocket.close_code)
    if cut is None and code == CloseReason.ABNORMAL_CLOSURE:
        cut = Cut.CLIENT if websocket.closed_by_client else Cut.UPSTREAM
    return Conversation(
        messages, code, websocket.close_reason or "", websocket.closed_by_client, str(cut or "")
    )


class Wire(NamedTuple):
    """A reply as mitmproxy sends it to an HTTP/1.1 client (head and body), and as the Journal
    keeps it."""

    wire: bytes
    kept: Response


_UNUSUAL = frozenset((b"transfer-encoding", b"connection", b"upgrade", b"keep-alive"))
"""Reply headers mitmproxy acts on (framing, closing the connection)."""
_MAX_WIRE = 1 << 20


def wire_of(response: Response, *, preset: bool) -> Wire | None:
    """A preset's reply (`preset`) or a recording, as the Responder makes it into a flow's
    response, in the bytes mitmproxy's HTTP/1 server sends for it; None when mitmproxy must
    send it itself (a stream, a status without a body, framing or closing headers, a body
    over a megabyte)."""
    if response.chunks or response.trailers or response.status < 200:
        return None
    if response.status in (204, 304) or len(response.body) > _MAX_WIRE:
        return None
    made = reply_to_flow(response) if preset else response_to_flow(response)
    if any(name.lower() in _UNUSUAL for name, _ in made.headers.fields):
        return None
    head = assemble_response_head(made)
    return Wire(head + (made.raw_content or b""), response_from_flow(made))
