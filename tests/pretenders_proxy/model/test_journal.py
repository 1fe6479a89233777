from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.model.journal import REPLY_PREVIEW, Entry, Source, kept


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
