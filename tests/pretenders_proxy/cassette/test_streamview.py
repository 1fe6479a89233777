from dataclasses import replace

from pretenders_proxy.cassette import streamview
from pretenders_proxy.cassette.review import Stats, diff, full, line
from pretenders_proxy.model.stream import Conversation, Cut, WsMessage
from tests.pretenders_proxy.samples import exchanges, streams


def test_a_streamed_response_says_its_chunks_duration_and_cut() -> None:
    sse, _ = streams()
    assert line(0, sse).endswith(
        "text/event-stream  0 B -> 35 B  3 chunks over 1.250 s  cut: the client went away"
    )
    shown = full(0, sse).splitlines()
    at = shown.index("# 3 chunks over 1.250 s; cut: the client went away")
    assert shown[at + 1 :] == ["  +0.000 s  11 B", "  +0.500 s  11 B", "  +1.250 s  13 B"]


def test_a_websocket_conversation_is_counted_and_listed_with_previews() -> None:
    _, socket = streams()
    assert line(1, socket).endswith(
        "101  -  0 B -> 0 B  websocket: 2 sent, 2 received, closed by the client: 1000 bye"
    )
    shown = full(1, socket).splitlines()
    at = shown.index("# websocket: 2 sent, 2 received; closed by the client: 1000 bye")
    assert shown[at + 1 :] == [
        "  +0.000 s  server  text       5 B  hello",
        '  +0.250 s  client  text      10 B  {"ask": 1}',
        "  +0.500 s  server  binary     3 B  00 01 ff",
        "  +1.125 s  client  text       6 B  héllo",
    ]


def test_plain_exchanges_show_nothing_more() -> None:
    plain = exchanges()[0]
    assert streamview.summary(plain) == "" and streamview.details(plain) == []
    assert "#" not in full(0, plain).splitlines()[-1]


def test_previews_are_cut_and_escape_control_characters() -> None:
    long_text = WsMessage(True, ("a\tb" + "x" * 100).encode())
    assert streamview.preview(long_text) == "a\\tb" + "x" * 57 + " ..."
    long_binary = WsMessage(False, bytes(range(30)), text=False)
    assert streamview.preview(long_binary) == bytes(range(20)).hex(" ") + " ..."


def test_long_lists_are_cut_and_counted() -> None:
    sse, _ = streams()
    many = tuple((n * 0.01, 1) for n in range(streamview.MAX_LISTED + 5))
    shown = streamview.details(replace(sse, response=replace(sse.response, chunks=many, cut="")))
    assert shown[-1] == "  ... (5 more)" and len(shown) == streamview.MAX_LISTED + 3


def test_how_a_conversation_ended() -> None:
    assert streamview.closing(Conversation()) == "no close recorded"
    assert streamview.closing(Conversation(closed_by_client=False)) == "closed by the server"
    assert streamview.closing(Conversation(close_code=1011)) == "closed: 1011"
    assert streamview.closing(Conversation(cut=Cut.SHUTDOWN)) == f"cut: {Cut.SHUTDOWN}"


def test_stats_total_streams_chunks_and_messages() -> None:
    stats = Stats()
    for each in [*exchanges(), *streams(), *streams()]:
        stats.add(each)
    assert stats.lines()[3:6] == [
        "streamed responses: 2 (6 chunks, longest 1.250 s)",
        "WebSocket conversations: 2 (4 messages sent, 4 received)",
        "streams and conversations cut short: 2",
    ]


def test_the_same_bytes_arriving_at_other_times_is_a_timing_difference_only() -> None:
    sse, socket = streams()
    later = replace(sse, response=replace(sse.response, chunks=((0.0, 11), (0.6, 11), (1.5, 13))))
    talk = socket.websocket
    assert talk is not None
    moved = replace(talk, messages=(*talk.messages[:3], replace(talk.messages[3], at=1.0)))
    slower = replace(socket, websocket=moved)
    assert list(diff([sse, socket], [later, slower])) == [
        "#0 GET https://api.example.test/events",
        "  response timing: same bytes, 3 chunks of the same sizes, offsets moved by up to 0.250 s"
        " (1.250 s -> 1.500 s)",
        "#1 GET https://api.example.test/socket",
        "  websocket timing: the same 4 messages, offsets moved by up to 0.125 s",
    ]
    assert list(diff([sse, socket], [later, slower], timing=False)) == []


def test_chunks_split_differently_and_streamed_or_not_are_differences() -> None:
    sse, _ = streams()
    split = replace(sse, response=replace(sse.response, chunks=((0.0, 22), (1.25, 13))))
    whole = replace(sse, response=replace(sse.response, chunks=(), cut=""))
    assert list(diff([sse], [split], timing=False))[1:] == [
        "  response chunks: same bytes, 3 chunks over 1.250 s -> 2 chunks over 1.250 s"
    ]
    assert list(diff([sse], [whole]))[1:] == [
        "  response chunks: same bytes, 3 chunks over 1.250 s -> not streamed",
        "  response cut: the client went away -> -",
    ]


def test_conversations_are_compared_message_by_message_and_by_their_end() -> None:
    _, socket = streams()
    talk = socket.websocket
    assert talk is not None
    other = Conversation(
        (*talk.messages[:3], WsMessage(True, b"other", True, 1.125), WsMessage(False, b"!")),
        close_code=1001,
        closed_by_client=False,
    )
    assert list(diff([socket], [replace(socket, websocket=other)]))[1:] == [
        "  websocket messages: 2 sent, 2 received -> 2 sent, 3 received",
        "  websocket - client  text       6 B  héllo",
        "  websocket + client  text       5 B  other",
        "  websocket + server  text       1 B  !",
        "  websocket end: closed by the client: 1000 bye -> closed by the server: 1001",
    ]
    assert list(diff([socket], [replace(socket, websocket=None)]))[1:] == [
        "  websocket: 4 messages -> none"
    ]
