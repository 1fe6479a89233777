"""Small builders of model objects for the unit tests."""

from datetime import UTC, datetime
from pathlib import Path

from pretenders_proxy.cassette import writing
from pretenders_proxy.cassette.codec import header, to_item
from pretenders_proxy.matching.subject import Subject
from pretenders_proxy.model.exchange import Exchange, Meta
from pretenders_proxy.model.http import Headers, Request, Response


def request(
    method: str = "GET",
    path: bytes = b"/items",
    query: bytes = b"",
    body: bytes = b"",
    headers: Headers = (),
    host: str = "api.example.test",
    port: int = 443,
    scheme: str = "https",
) -> Request:
    return Request(method, path, query, headers, body, scheme, host, port)


def exchange(
    req: Request | None = None, status: int = 200, body: bytes = b"ok", headers: Headers = ()
) -> Exchange:
    return Exchange(
        req or request(),
        Response(status, headers, body, reason="OK"),
        Meta(recorded_at="2026-01-02T03:04:05+00:00", duration_ms=12.5),
    )


def many(path: Path, count: int) -> Path:
    """A cassette of `count` small exchanges, written fast (one item packed, repeated)."""
    packed = writing.pack(to_item(exchange(request(path=b"/same"))))
    path.write_bytes(writing.pack(header(datetime.now(UTC))) + packed * count)
    return path


def seen(
    method: str = "GET",
    target: bytes = b"/hello",
    body: bytes = b"",
    host: str = "api.example.test",
    headers: tuple[tuple[bytes, bytes], ...] = (),
) -> Subject:
    """A request as the preset matchers see it (`target` is the path and query)."""
    path, _, query = target.partition(b"?")
    return Subject(Request(method, path, query, headers, body, host=host))


def nested_mime(depth: int, leaf: bytes = b"Content-Type: text/plain\r\n\r\nhello\r\n") -> bytes:
    """A message whose text part lies `depth` multipart levels down."""
    body = leaf
    for level in range(depth):
        boundary = b"b%d" % level
        body = (
            b"Content-Type: multipart/mixed; boundary=" + boundary + b"\r\n\r\n--" + boundary
            + b"\r\n" + body + b"--" + boundary + b"--\r\n"
        )  # fmt: skip
    return b"From: a@x.test\r\nSubject: deep\r\nMIME-Version: 1.0\r\n" + body
