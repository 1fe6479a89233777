"""Streams in HAR: WebSocket messages the way Chrome's DevTools saves them, chunk timing in
custom fields; what does not fit is dropped and said."""

import base64
import gzip
from dataclasses import replace
from typing import Any

import pytest

from pretenders_proxy.cassette.formats import har
from pretenders_proxy.cassette.formats.common import Losses
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.stream import Conversation, WsMessage
from tests.pretenders_proxy.samples import streams

STARTED = 1767323045.0  # 2026-01-02T03:04:05Z


def chrome_entry(**fields: Any) -> dict[str, Any]:
    """A WebSocket entry shaped as Chrome's "Save all as HAR" writes one (made up here)."""
    return {
        "startedDateTime": "2026-01-02T03:04:05.000Z",
        "time": 2500.5,
        "request": {
            "method": "GET",
            "url": "wss://chat.example.test/live?room=1",
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": "Upgrade", "value": "websocket"}],
            "queryString": [{"name": "room", "value": "1"}],
            "cookies": [],
            "headersSize": 200,
            "bodySize": 0,
        },
        "response": {
            "status": 101,
            "statusText": "Switching Protocols",
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": "Upgrade", "value": "websocket"}],
            "cookies": [],
            "content": {"size": 0, "mimeType": "x-unknown", "compression": 150},
            "redirectURL": "",
            "headersSize": 150,
            "bodySize": -150,
            "_transferSize": 0,
        },
        "cache": {},
        "timings": {"send": 0, "wait": 2500.5, "receive": 0},
        "_resourceType": "websocket",
        "_webSocketMessages": [
            {"type": "send", "time": STARTED + 0.1, "opcode": 1, "data": "join"},
            {"type": "receive", "time": STARTED + 0.25, "opcode": 1, "data": "welcome"},
            {"type": "receive", "time": STARTED + 0.5, "opcode": 2, "data": "AAH/"},
            {"type": "receive", "time": STARTED + 0.6, "opcode": 9, "data": ""},
            {"type": "error", "time": STARTED + 0.7, "opcode": -1, "data": "net::ERR"},
        ],
    } | fields


def read(*entries: dict[str, Any]) -> tuple[list[Any], Losses]:
    losses = Losses()
    return list(har.read({"log": {"entries": list(entries)}}, losses)), losses


def test_a_chrome_websocket_entry_becomes_an_exchange_with_its_conversation() -> None:
    (exchange,), losses = read(chrome_entry())
    request = exchange.request
    assert (request.scheme, request.host, request.port) == ("https", "chat.example.test", 443)
    assert (request.path, request.query, exchange.response.status) == (b"/live", b"room=1", 101)
    assert exchange.websocket == Conversation(
        (
            WsMessage(True, b"join", True, 0.1),
            WsMessage(False, b"welcome", True, 0.25),
            WsMessage(False, b"\x00\x01\xff", False, 0.5),
        )
    )
    assert losses.lines() == [
        "dropped: WebSocket control frames and errors (only messages are kept) (2 exchanges)"
    ]


def test_without_a_start_time_offsets_count_from_the_first_message() -> None:
    (exchange,), _ = read(chrome_entry(startedDateTime=None))
    assert [m.at for m in exchange.websocket.messages] == [0.0, 0.15, 0.4]
    assert exchange.meta.recorded_at == ""


def test_conversations_are_written_as_chrome_writes_them_and_the_close_beside() -> None:
    _, socket = streams()
    entry = har.entry(socket, Losses())
    assert entry["request"]["url"] == "wss://api.example.test/socket"
    assert entry["_resourceType"] == "websocket"
    assert entry["_webSocketMessages"][1:3] == [
        {"type": "send", "time": STARTED + 0.25, "opcode": 1, "data": '{"ask": 1}'},
        {"type": "receive", "time": STARTED + 0.5, "opcode": 2, "data": "AAH/"},
    ]
    assert entry["_webSocketClose"] == {"code": 1000, "reason": "bye", "closedByClient": True}
    (back,), losses = read(entry)
    assert back == socket and losses.lines() == []


def test_chunk_timing_and_cut_ride_in_custom_response_fields() -> None:
    sse, _ = streams()
    entry = har.entry(sse, Losses())
    assert entry["response"]["_chunks"] == [[0.0, 11], [0.5, 11], [1.25, 13]]
    assert entry["response"]["_cut"] == "the client went away"
    assert "_webSocketMessages" not in entry and entry["request"]["url"].startswith("https:")
    (back,), _ = read(entry)
    assert back == sse


def test_timing_of_a_body_har_holds_decoded_is_dropped_and_said() -> None:
    sse, _ = streams()
    body = gzip.compress(sse.response.body, mtime=0)
    headers = (*sse.response.headers, (b"Content-Encoding", b"gzip"))
    encoded = replace(sse, response=replace(sse.response, body=body, headers=headers,
                                            chunks=((0.0, 10), (0.5, len(body) - 10))))  # fmt: skip
    losses = Losses()
    entry = har.entry(encoded, losses)
    assert "_chunks" not in entry["response"] and entry["response"]["_cut"]
    assert "dropped: chunk timing of encoded bodies (HAR bodies are decoded) (1 exchange)" in (
        losses.lines()
    )


def test_chunks_that_do_not_add_up_to_the_body_are_dropped_and_said() -> None:
    sse, _ = streams()
    entry = har.entry(sse, Losses())
    entry["response"]["content"]["text"] = "data: changed by hand\n\n"
    (back,), losses = read(entry)
    assert back.response.chunks == () and back.response.cut == "the client went away"
    assert losses.lines() == ["dropped: chunk timing that does not add up to the body (1 exchange)"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"_webSocketMessages": {}}, r"entries\[0\]._webSocketMessages is not a list"),
        ({"_webSocketMessages": [7]}, r"_webSocketMessages\[0\] is not an object"),
        (
            {"_webSocketMessages": [{"type": "send", "opcode": 2, "time": 1, "data": "%%"}]},
            r"_webSocketMessages\[0\].data is not valid base64",
        ),
        (
            {"_webSocketMessages": [{"type": "send", "opcode": 1, "time": "1", "data": ""}]},
            r"_webSocketMessages\[0\].time is not a number",
        ),
        (
            {"_webSocketMessages": [{"type": "send", "opcode": 1, "time": 1, "data": 5}]},
            r"_webSocketMessages\[0\].data is not a string",
        ),
        ({"_webSocketClose": {"code": "x"}}, r"entries\[0\]: websocket.close_code is a str"),
        ({"_webSocketClose": []}, r"entries\[0\]._webSocketClose is not an object"),
    ],
)
def test_bad_stream_fields_are_refused_naming_them(change: dict[str, Any], problem: str) -> None:
    with pytest.raises(CassetteError, match=problem):
        read(chrome_entry(**change))


@pytest.mark.parametrize(
    ("change", "problem"),
    [({"_chunks": [[0, "9"]]}, r"response._chunks is not a list"), ({"_cut": 3}, "_cut is not")],
)
def test_bad_chunk_fields_are_refused_naming_them(change: dict[str, Any], problem: str) -> None:
    entry = chrome_entry()
    entry["response"] |= change
    with pytest.raises(CassetteError, match=problem):
        read(entry)


def test_binary_messages_are_base64_text_messages_text() -> None:
    talk = Conversation((WsMessage(False, bytes(range(256)), False, 0.0), WsMessage(True, b"ok")))
    _, socket = streams()
    messages = har.entry(replace(socket, websocket=talk), Losses())["_webSocketMessages"]
    assert base64.b64decode(messages[0]["data"]) == bytes(range(256))
    assert (messages[1]["opcode"], messages[1]["data"]) == (1, "ok")
