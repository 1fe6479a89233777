"""The JSON twin of a cassette: lossless both ways, and readable when written by hand."""

import io
import json
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pretenders_proxy.cassette.formats import jsontwin
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.model.stream import Conversation, WsMessage
from tests.pretenders_proxy.cassette.test_reading import exchanges_strategy
from tests.pretenders_proxy.samples import exchanges, streams

offsets = st.floats(0, 1e6, allow_nan=False)


@st.composite
def streamed_exchanges(draw: st.DrawFn) -> Exchange:
    """Any exchange, its body in timed pieces (or whole), perhaps cut, perhaps a conversation."""
    plain = draw(exchanges_strategy)
    size = len(plain.response.body)
    ends = [*sorted(draw(st.lists(st.integers(0, size), max_size=5))), size]
    chunks = tuple(zip(sorted(draw(st.lists(offsets, min_size=len(ends), max_size=len(ends)))),
                       [end - start for start, end in zip([0, *ends], ends, strict=False)],
                       strict=True))  # fmt: skip
    message = st.builds(WsMessage, st.booleans(), st.binary(max_size=20), st.booleans(), offsets)
    talk = st.builds(
        Conversation,
        st.lists(message, max_size=4).map(tuple),
        st.none() | st.integers(1000, 4999),
        st.text(max_size=10),
        st.none() | st.booleans(),
        st.text(max_size=10),
    )
    response = replace(
        plain.response, chunks=draw(st.just(chunks) | st.just(())), cut=draw(st.text(max_size=10))
    )
    return replace(plain, response=response, websocket=draw(st.none() | talk))


def _through_json(items: list[Exchange]) -> list[Exchange]:
    stream = io.StringIO()
    jsontwin.write(stream, items)
    return list(jsontwin.read(json.loads(stream.getvalue())))


@given(st.lists(streamed_exchanges(), max_size=3))
def test_streams_and_conversations_come_back_exactly(items: list[Exchange]) -> None:
    assert _through_json(items) == items


def test_chunks_cut_and_messages_are_readable_in_the_twin() -> None:
    stream = io.StringIO()
    jsontwin.write(stream, streams())
    document = json.loads(stream.getvalue())
    assert document["version"] == 2
    sse, socket = document["exchanges"]
    assert sse["response"]["chunks"] == [[0.0, 11], [0.5, 11], [1.25, 13]]
    assert sse["response"]["cut"] == "the client went away"
    assert socket["websocket"]["messages"][1:3] == [
        {"from": "client", "type": "text", "at": 0.25, "data": '{"ask": 1}'},
        {"from": "server", "type": "binary", "at": 0.5, "data": {"base64": "AAH/"}},
    ]
    assert socket["websocket"]["close_code"] == 1000


def test_every_field_comes_back_even_bytes_that_are_not_utf8() -> None:
    stream = io.StringIO()
    jsontwin.write(stream, exchanges())
    document = json.loads(stream.getvalue())
    assert list(jsontwin.read(document)) == exchanges()
    upload = document["exchanges"][1]["request"]
    assert upload["url"] == "https://files.example.test:8443/upload"
    assert upload["body"] == {"base64": "AAFiaW5hcnn/"}


def test_a_hand_written_exchange_may_leave_out_what_has_a_default() -> None:
    item = {"request": {"method": "GET", "scheme": "http", "host": "a.test", "port": 80,
                        "path": "/x"}, "response": {"status": 204}}  # fmt: skip
    (exchange,) = jsontwin.read({"format": jsontwin.FORMAT, "version": 1, "exchanges": [item]})
    assert exchange.request == Request("GET", b"/x", scheme="http", host="a.test", port=80)
    assert exchange.response == Response(204)
    item["websocket"] = {"messages": [{"from": "server", "data": "hi"}]}
    (exchange,) = jsontwin.read({"format": jsontwin.FORMAT, "version": 2, "exchanges": [item]})
    assert exchange.websocket == Conversation((WsMessage(False, b"hi"),))


def _with(fields: dict[str, object]) -> dict[str, object]:
    item = {"request": {"method": "GET", "scheme": "http", "host": "a.test", "port": 80,
                        "path": "/"}, "response": {"status": 200}} | fields  # fmt: skip
    return {"format": jsontwin.FORMAT, "version": 2, "exchanges": [item]}


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"format": "other"}, "not a pretenders JSON cassette"),
        (
            {"format": jsontwin.FORMAT, "version": 3},
            r"JSON cassette version 3 is newer than this pretenders reads \(2\): please upgrade",
        ),
        ({"format": jsontwin.FORMAT, "version": 0}, "JSON cassette version 0 is not one of 1 to 2"),
        ({"format": jsontwin.FORMAT, "version": True}, "version True is not one of 1 to 2"),
        ({"format": jsontwin.FORMAT, "version": 1}, "exchanges is missing or not a list"),
        (_with({"websocket": []}), r"exchanges\[0\].websocket is not an object"),
        (_with({"websocket": {}}), r"exchanges\[0\].websocket.messages is missing"),
        (
            _with({"websocket": {"messages": [{"from": "me"}]}}),
            r"websocket.messages\[0\]: \"from\" is client or server",
        ),
        (
            _with({"websocket": {"messages": [{"from": "client", "at": "1"}]}}),
            r"websocket.messages\[0\].at is not a number of seconds",
        ),
        (
            _with({"websocket": {"messages": [], "close_code": "x"}}),
            r"exchanges\[0\].websocket.close_code is a str",
        ),
        (
            _with({"response": {"status": 200, "chunks": [[0, -1]]}}),
            r"exchanges\[0\].response.chunks is not a list of \[offset, size\] pairs",
        ),
    ],
)
def test_other_documents_are_refused(document: object, problem: str) -> None:
    with pytest.raises(CassetteError, match=problem):
        list(jsontwin.read(document))
