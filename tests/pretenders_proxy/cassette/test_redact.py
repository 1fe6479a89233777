from dataclasses import replace

from pretenders_proxy.cassette.redact import Redaction, redact
from pretenders_proxy.model.exchange import REDACTED
from pretenders_proxy.model.stream import Conversation, WsMessage
from tests.pretenders_proxy.factories import exchange, request


def test_default_headers_are_redacted_in_request_and_response() -> None:
    original = exchange(
        request(headers=((b"authorization", b"Bearer t"), (b"Accept", b"*/*"), (b"Cookie", b"c"))),
        headers=((b"Set-Cookie", b"s=1"), (b"Content-Type", b"text/plain")),
    )
    redacted = redact(original, Redaction())
    assert redacted.request.headers == (
        (b"authorization", REDACTED),
        (b"Accept", b"*/*"),
        (b"Cookie", REDACTED),
    )
    assert redacted.response.headers == (
        (b"Set-Cookie", REDACTED),
        (b"Content-Type", b"text/plain"),
    )
    assert redacted.meta.redacted == (
        "request header authorization",
        "request header Cookie",
        "response header Set-Cookie",
    )
    assert redacted.request.body == original.request.body


def test_extra_headers_and_query_parameters() -> None:
    original = exchange(
        request(query=b"page=2&api%5Fkey=k1&token=t&x", headers=((b"X-Secret", b"s"),))
    )
    redacted = redact(original, Redaction.adding(["x-secret"], ["api_key", "token"]))
    assert redacted.request.query == b"page=2&api%5Fkey=<redacted>&token=<redacted>&x"
    assert redacted.request.headers == ((b"X-Secret", REDACTED),)
    assert "query api_key" in redacted.meta.redacted


def test_nothing_to_redact_gives_the_same_exchange() -> None:
    original = exchange(request(query=b"a=1"))
    assert redact(original, Redaction.adding(query=["b"])) is original


def test_a_websocket_conversation_survives_redaction() -> None:
    talk = Conversation((WsMessage(False, b"welcome"),), close_code=1000)
    original = replace(exchange(request(headers=((b"Cookie", b"c"),))), websocket=talk)
    redacted = redact(original, Redaction())
    assert redacted.request.headers == ((b"Cookie", REDACTED),)
    assert redacted.websocket == talk
