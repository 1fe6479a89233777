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
