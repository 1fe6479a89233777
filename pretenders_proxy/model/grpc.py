"""gRPC calls as pretenders sees them: which requests are calls, and the error answer a gRPC
client reads (HTTP 200 with `grpc-status` and `grpc-message` and no body: "Trailers-Only")."""

from enum import IntEnum

from pretenders_proxy.model.http import Headers, Request, Response


class Status(IntEnum):
    """The gRPC status codes pretenders answers with."""

    NOT_FOUND = 5
    """A miss: nothing recorded (or preset) answers this call. Not UNAVAILABLE: clients' retry
    policies retry that code, and every retry would be one more miss."""
    INTERNAL = 13
    """Pretenders failed closed (a cassette broke, an exchange could not be recorded): the
    code gRPC gives an HTTP 500, and one no retry policy retries by default."""
    UNAVAILABLE = 14
    """The shared store is unreachable for now (an HTTP 503): worth retrying."""


CONTENT_TYPE = b"application/grpc"
MESSAGE_LIMIT = 4096
"""Bytes of `grpc-message` at most (percent-encoded): grpcio refuses metadata over 8 KiB."""
ELLIPSIS = b"..."
_UNENCODED = frozenset(range(0x20, 0x7F)) - {ord("%")}
"""What the gRPC spec lets `grpc-message` carry as it is: printable ASCII but `%`."""


def is_call(request: Request) -> bool:
    """Whether `request` is a gRPC call (content type `application/grpc`, `application/grpc+proto`
    or the like; not gRPC-Web, whose clients read errors from the body)."""
    for name, value in request.headers:
        if name.lower() == b"content-type":
            kind = value.split(b";", 1)[0].strip().lower()
            return kind == CONTENT_TYPE or kind.startswith(CONTENT_TYPE + b"+")
    return False


def encode_message(text: str) -> bytes:
    """`text` as `grpc-message` carries it: UTF-8, percent-encoded where the spec says, cut to
    MESSAGE_LIMIT bytes (ending in `...` when cut)."""
    encoded = bytearray()
    for byte in text.strip().encode():
        piece = bytes((byte,)) if byte in _UNENCODED else b"%%%02X" % byte
        if len(encoded) + len(piece) > MESSAGE_LIMIT - len(ELLIPSIS):
            return bytes(encoded) + ELLIPSIS
        encoded += piece
    return bytes(encoded)


def error_reply(status: Status, text: str, headers: Headers = ()) -> Response:
    """The answer a gRPC client reads as an error with `status` and details `text`, carrying
    `headers` too (pretenders' markers: the client sees them as trailing metadata)."""
    fields = (
        (b"content-type", CONTENT_TYPE),
        (b"grpc-status", b"%d" % status),
        (b"grpc-message", encode_message(text)),
        *((name.lower(), value) for name, value in headers),
    )
    return Response(200, fields, b"", http_version="HTTP/2.0")


def as_error(reply: Response, status: Status) -> Response:
    """A plain-text reply of pretenders (the miss reply, a fail-closed 500) as gRPC error
    `status`: its text as the details, its headers but the content type kept."""
    kept = tuple((n, v) for n, v in reply.headers if n.lower() not in (b"content-type",))
    return error_reply(status, reply.body.decode("utf-8", "replace"), kept)
