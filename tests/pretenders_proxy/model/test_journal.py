import pytest

from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.model.journal import (
    ENTRY_OVERHEAD,
    REPLY_PREVIEW,
    REQUEST_PREVIEW,
    Entry,
    Source,
    TrafficProtocol,
    kept,
    kept_request,
    measured,
    protocol_of,
    weight,
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


def test_history_keeps_the_head_of_a_long_request_body_and_its_size() -> None:
    short = Request("POST", b"/", body=b"x" * REQUEST_PREVIEW)
    assert kept_request(short) == (short, REQUEST_PREVIEW) and kept_request(short)[0] is short
    cut, size = kept_request(Request("POST", b"/", body=b"y" * (REQUEST_PREVIEW + 5)))
    assert (cut.body, size) == (b"y" * REQUEST_PREVIEW, REQUEST_PREVIEW + 5)
    entry = Entry(1, "s", 0.0, cut, Source.MISS, request_size=size)
    assert entry.body_truncated and entry.body_size == REQUEST_PREVIEW + 5
    whole = Entry(2, "s", 0.0, short, Source.MISS)  # made without a size: the body's own
    assert not whole.body_truncated and whole.body_size == REQUEST_PREVIEW


def test_an_entry_weighs_its_bodies_headers_and_notes() -> None:
    request = Request("POST", b"/p", b"q=1", ((b"A", b"bc"),), b"x" * 100)
    reply = Response(200, ((b"B", b"c"),), b"y" * 50)
    entry = Entry(1, "s", 0.0, request, Source.MISS, reply, miss="why")
    assert weight(entry) == ENTRY_OVERHEAD + 100 + 2 + 3 + 3 + 3 + 50 + 2
    assert weight(entry, shared_response=True) == ENTRY_OVERHEAD + 100 + 2 + 3 + 3 + 3


def test_what_a_request_weighs_and_asks_for_is_its_own_also_when_measured_before() -> None:
    plain = Request("GET", b"/a", b"q=1", ((b"Host", b"h"),), b"body")
    upgrade = Request("GET", b"/a", b"", ((b"Upgrade", b"WebSocket"), (b"Host", b"hh")))
    for _ in range(2):  # measured, then found again by object
        assert measured(plain) == (TrafficProtocol.HTTP, 4 + 2 + 3 + 5)
        assert measured(upgrade) == (TrafficProtocol.WEBSOCKET, 2 + 16 + 6)
    for n in range(3000):  # past what is kept: each object its own figures all the same
        made = Request("GET", b"/%d" % n, b"", ((b"Host", b"h"),))
        assert measured(made) == (TrafficProtocol.HTTP, len(b"/%d" % n) + 5)


def test_big_requests_are_measured_but_not_kept_alive() -> None:
    from pretenders_proxy.model import journal

    big = Request("POST", b"/p" * 4000, b"", ((b"Host", b"h"),), b"b" * 100)
    assert measured(big) == (TrafficProtocol.HTTP, 8000 + 5 + 100)
    assert all(kept is not big for kept, _, _ in journal._MEASURED.values())
