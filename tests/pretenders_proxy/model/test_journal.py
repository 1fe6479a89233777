import pytest

from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.model.journal import (
    REPLY_PREVIEW,
    Entry,
    Source,
    TrafficProtocol,
    kept,
    protocol_of,
)


def test_history_keeps_a_reply_within_the_bound_as_the_same_object() -> None:
    response = Response(200, ((b"X-A", b"1"),), b"x" * REPLY_PREVIEW)
    shorter, size = kept(response)
    assert shorter is response and size == REPLY_PREVIEW
    assert kept(None) == (None, 0)


def test_history_keeps_the_head_of_a_longer_reply_and_its_size() -> None:
    body = bytes(range(256)) * (REPLY_PREVIEW // 128)
    response, size = kept(Response(201, ((b"X-A", b"1"),), body, "Created"))
    assert response == Response(201, ((b"X-A", b"1"),), body[:REPLY_PREVIEW], "Created")
    entry = Entry(1, "s", 0.0, Request("GET", b"/"), Source.UPSTREAM, response, response_size=size)
    assert size == len(body) and entry.truncated
    assert not Entry(2, "s", 0.0, Request("GET", b"/"), Source.MISS).truncated


@pytest.mark.parametrize(
    ("headers", "protocol"),
    [
        ((), TrafficProtocol.HTTP),
        (((b"Upgrade", b"websocket"), (b"Connection", b"Upgrade")), TrafficProtocol.WEBSOCKET),
        (((b"upgrade", b"WebSocket, foo"),), TrafficProtocol.WEBSOCKET),
        (((b"Upgrade", b"h2c"),), TrafficProtocol.HTTP),
    ],
)
def test_what_an_http_request_asks_for(
    headers: tuple[tuple[bytes, bytes], ...], protocol: TrafficProtocol
) -> None:
    assert protocol_of(Request("GET", b"/chat", headers=headers)) is protocol


def test_an_entry_is_http_unless_it_says_otherwise() -> None:
    assert Entry(1, "s", 0.0, Request("GET", b"/"), Source.ERROR).protocol is TrafficProtocol.HTTP
