"""Exchanges that exercise what conversions must keep: binary and compressed bodies, repeated
and interleaved headers, header bytes that are not UTF-8, trailers, HTTP/2, redactions."""

import gzip

from pretenders_proxy.model.exchange import Exchange, Meta
from pretenders_proxy.model.http import Request, Response

PNG = b"\x89PNG\r\n\x1a\n\x00\x01\x02\xff" * 8
JSON = b'{"id": 42, "name": "Ada", "tags": ["x", "y"]}'
NEWS = gzip.compress("héllo news\n".encode(), mtime=0)
LENGTH = str(len(NEWS)).encode()


def exchanges() -> list[Exchange]:
    meta = Meta(recorded_at="2026-01-02T03:04:05+00:00", duration_ms=12.5)
    return [
        Exchange(
            Request("GET", b"/users/42", b"page=2&q=x", ((b"Host", b"api.example.test"),),
                    scheme="https", host="api.example.test", port=443),
            Response(200, ((b"Content-Type", b"application/json"), (b"Set-Cookie", b"a=1"),
                           (b"X-Other", b"o"), (b"Set-Cookie", b"b=2")), JSON, "OK"),
            meta,
        ),
        Exchange(
            Request("POST", b"/upload", b"", ((b"Host", b"files.example.test:8443"),
                    (b"Content-Type", b"application/octet-stream"), (b"X-Raw", b"caf\xe9")),
                    b"\x00\x01binary\xff", "https", "files.example.test", 8443, "HTTP/2.0"),
            Response(201, ((b"Content-Type", b"image/png"),), PNG, "", "HTTP/2.0",
                     trailers=((b"grpc-status", b"0"),)),
            Meta("2026-01-02T03:04:06+00:00", 3.0, ("request header Authorization",)),
        ),
        Exchange(
            Request("GET", b"/news", headers=((b"Host", b"api.example.test"),),
                    host="api.example.test", port=80),
            Response(200, ((b"Content-Type", b"text/plain; charset=utf-8"),
                           (b"Content-Encoding", b"gzip"), (b"Content-Length", LENGTH)),
                     NEWS, "OK"),
            meta,
        ),
    ]  # fmt: skip


SSE = b"data: one\n\ndata: two\n\ndata: three\n\n"


def streams() -> list[Exchange]:
    """A server-sent event stream in 3 timed pieces (cut by the client), and a WebSocket
    conversation both ways with text and binary messages and a close."""
    from pretenders_proxy.model.stream import Conversation, Cut, WsMessage

    meta = Meta(recorded_at="2026-01-02T03:04:05+00:00", duration_ms=1500.0)
    talk = Conversation(
        (
            WsMessage(False, b"hello", True, 0.0),
            WsMessage(True, b'{"ask": 1}', True, 0.25),
            WsMessage(False, b"\x00\x01\xff", False, 0.5),
            WsMessage(True, "héllo".encode(), True, 1.125),
        ),
        close_code=1000,
        close_reason="bye",
        closed_by_client=True,
    )
    return [
        Exchange(
            Request("GET", b"/events", headers=((b"Host", b"api.example.test"),),
                    scheme="https", host="api.example.test", port=443),
            Response(200, ((b"Content-Type", b"text/event-stream"),), SSE, "OK",
                     chunks=((0.0, 11), (0.5, 11), (1.25, 13)), cut=Cut.CLIENT),
            meta,
        ),
        Exchange(
            Request("GET", b"/socket", headers=((b"Host", b"api.example.test"),
                    (b"Upgrade", b"websocket"), (b"Connection", b"Upgrade")),
                    scheme="https", host="api.example.test", port=443),
            Response(101, ((b"Upgrade", b"websocket"), (b"Connection", b"Upgrade")), b"",
                     "Switching Protocols"),
            meta,
            websocket=talk,
        ),
    ]  # fmt: skip
