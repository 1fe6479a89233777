"""Which requests are gRPC calls, and the error answer a gRPC client reads."""

from urllib.parse import unquote

import pytest

from pretenders_proxy.model import grpc
from pretenders_proxy.model.http import Request, Response


@pytest.mark.parametrize(
    ("content_type", "call"),
    [
        (b"application/grpc", True),
        (b"application/grpc+proto", True),
        (b"Application/GRPC; charset=x", True),
        (b"application/grpc-web", False),
        (b"application/grpc-web+proto", False),
        (b"application/json", False),
        (None, False),
    ],
)
def test_a_call_is_known_by_its_content_type(content_type: bytes | None, call: bool) -> None:
    headers = () if content_type is None else ((b"Content-Type", content_type),)
    assert grpc.is_call(Request("POST", b"/pkg.Svc/M", headers=headers)) is call


def test_the_message_is_percent_encoded_as_the_grpc_spec_says() -> None:
    text = "No recording matched POST /a.B/C.\n  - body: 100% différent\n"
    encoded = grpc.encode_message(text)
    assert encoded == b"No recording matched POST /a.B/C.%0A  - body: 100%25 diff%C3%A9rent"
    assert unquote(encoded.decode()) == text.strip()


def test_a_long_message_is_cut_whole_percent_escapes_and_all() -> None:
    encoded = grpc.encode_message("é" * 5000)  # 6 bytes each once encoded
    assert len(encoded) <= grpc.MESSAGE_LIMIT and encoded.endswith(b"%A9...")


def test_a_reply_becomes_a_trailers_only_error_keeping_its_markers() -> None:
    miss = Response(
        404,
        ((b"X-Pretenders-Miss", b"1"), (b"Content-Type", b"text/plain")),
        b"No recording matched\n",
    )
    error = grpc.as_error(miss, grpc.Status.NOT_FOUND)
    assert (error.status, error.body, error.trailers) == (200, b"", None)
    assert error.headers == (
        (b"content-type", b"application/grpc"),
        (b"grpc-status", b"5"),
        (b"grpc-message", b"No recording matched"),
        (b"x-pretenders-miss", b"1"),
    )
