from datetime import UTC, datetime

import pytest

from pretenders_proxy.cassette import codec
from pretenders_proxy.cassette.codec import (
    FORMAT,
    VERSION,
    from_item,
    header,
    to_item,
    version_of,
)
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.http import Response
from pretenders_proxy.model.stream import Conversation, Cut, WsMessage
from tests.pretenders_proxy.factories import exchange, request


def test_an_exchange_round_trips_with_bytes_kept_as_bytes() -> None:
    original = exchange(
        request("POST", b"/caf\xe9", b"a=1&b=\xff", b"\x00\x01", ((b"X-A", b"\xfe"),)),
        body=b"\x1f\x8b not utf-8 \xff",
        headers=((b"Content-Encoding", b"gzip"), (b"Set-Cookie", b"a"), (b"Set-Cookie", b"b")),
    )
    item = to_item(original)
    assert item["request"]["path"] == b"/caf\xe9"
    assert item["response"]["headers"][1:] == [[b"Set-Cookie", b"a"], [b"Set-Cookie", b"b"]]
    assert from_item(item) == original


def test_trailers_are_kept_when_there_are_some() -> None:
    original = exchange()
    with_trailers = type(original)(
        original.request, Response(200, (), b"x", trailers=((b"grpc-status", b"0"),))
    )
    assert from_item(to_item(with_trailers)) == with_trailers
    assert "trailers" not in to_item(original)["response"]


def test_chunk_timing_and_cuts_are_kept_only_when_there_are_some() -> None:
    original = exchange()
    streamed = type(original)(
        original.request,
        Response(200, (), b"data: 1\n\ndata: 2\n\n", chunks=((0.0, 9), (0.5, 9)), cut=Cut.CLIENT),
    )
    item = to_item(streamed)
    assert item["response"]["chunks"] == [[0.0, 9], [0.5, 9]]
    assert item["response"]["cut"] == "the client went away"
    assert from_item(item) == streamed
    assert {"chunks", "cut"}.isdisjoint(to_item(original)["response"])


def test_a_websocket_conversation_round_trips() -> None:
    original = exchange(status=101)
    talk = Conversation(
        (WsMessage(False, b"hello"), WsMessage(True, b"\x00\xff", text=False, at=0.25)),
        close_code=1000,
        close_reason="bye",
        closed_by_client=True,
    )
    with_talk = type(original)(original.request, original.response, websocket=talk)
    assert from_item(to_item(with_talk)) == with_talk
    assert "websocket" not in to_item(original)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            {"response": {"chunks": [[0, "9"]]}},
            r"response.chunks is not a list of \[offset, size\]",
        ),
        ({"response": {"cut": 3}}, "response.cut is a int, not str"),
        ({"websocket": []}, "websocket is not a map"),
        ({"websocket": {"messages": [[True, True, 0, "text"]]}}, r"websocket.messages\[0\]"),
        ({"websocket": {"close_code": "1000"}}, "websocket.close_code is a str"),
    ],
)
def test_wrong_stream_fields_are_named(change: dict[str, object], problem: str) -> None:
    item = to_item(exchange())
    for key, value in change.items():
        item[key] = {**item[key], **value} if key == "response" else value  # type: ignore[dict-item]
    with pytest.raises(CassetteError, match=problem):
        from_item(item)


def test_header_names_format_and_version() -> None:
    made = header(datetime(2026, 1, 2, tzinfo=UTC), "pretenders 9.9")
    assert made == {
        "format": FORMAT,
        "version": VERSION,
        "created": "2026-01-02T00:00:00+00:00",
        "tool": "pretenders 9.9",
    }
    assert version_of(made) == VERSION


@pytest.mark.parametrize(
    ("first", "problem"),
    [
        ([1, 2], "not a pretenders cassette"),
        ({"format": "har"}, "not a pretenders cassette"),
        ({"format": FORMAT, "version": "1"}, r"no valid version \('1'\)"),
        ({"format": FORMAT, "version": True}, "no valid version"),
    ],
)
def test_what_is_not_a_header(first: object, problem: str) -> None:
    with pytest.raises(CassetteError, match=problem):
        version_of(first)


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda r: r.pop("response"), "response is missing or not a map"),
        (lambda r: r["request"].update(port="443"), r"request.port is a str, not int"),
        (lambda r: r["request"].update(path="/text"), r"request.path is a str, not bytes"),
        (lambda r: r["response"].pop("status"), r"response.status is missing, not int"),
        (lambda r: r["request"].update(headers=[[b"a"]]), "request.headers has an item that"),
        (lambda r: r.update(meta=[]), "meta is not a map"),
    ],
)
def test_damaged_items_are_refused_naming_the_field(damage: object, problem: str) -> None:
    item = to_item(exchange())
    damage(item)  # type: ignore[operator]
    with pytest.raises(CassetteError, match=problem):
        from_item(item)


def test_a_header_carries_its_matching() -> None:
    head = {**header(datetime.now(UTC)), "ignore": ["json:$.ts"], "match_on": ["method", "path"]}
    assert codec.matching_of(head) == (("json:$.ts",), ("method", "path"))
    assert codec.matching_of(header(datetime.now(UTC))) == ((), None)


@pytest.mark.parametrize("key", ["ignore", "match_on"])
def test_matching_in_a_header_must_be_a_list_of_strings(key: str) -> None:
    with pytest.raises(CassetteError, match=f"header's '{key}' is not a list of strings"):
        codec.matching_of({key: "json:$.ts"})
