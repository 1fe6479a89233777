"""The WebSockets addon: a recorded socket is appended once, when it ends (or cut at shutdown);
a 101 answered here gets this client's accept token and a player."""

import base64
import hashlib
from pathlib import Path

from mitmproxy.test import taddons, tflow

from pretenders_proxy.cassette import reading
from pretenders_proxy.model.journal import Source
from pretenders_proxy.model.preset import WsScript
from pretenders_proxy.model.stream import Conversation, Cut, WsMessage
from pretenders_proxy.proxy import internals
from pretenders_proxy.proxy.journal import Journal
from pretenders_proxy.proxy.options import Options
from pretenders_proxy.proxy.recorder import Recorder
from pretenders_proxy.proxy.tags import tags
from pretenders_proxy.proxy.websocket import WebSockets, handshake, to_play
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.store.player import Player, ScriptPlayer


def test_a_recorded_socket_is_appended_once_when_it_ends(tmp_path: Path) -> None:
    path = tmp_path / "ws.cassette"
    runtime = Runtime()
    sockets, recorder = WebSockets(runtime), Recorder(runtime)
    with taddons.context(Options(runtime), sockets, recorder):
        flow = tflow.twebsocketflow()
        tags(flow)["record"] = str(path)
        recorder.response(flow)  # the 101: left to the WebSockets addon
        sockets.websocket_start(flow)
        sockets.websocket_end(flow)
        sockets.done()  # ended already: not again
        recorder.done()
    (stored,) = reading.read(path).exchanges
    conversation = stored.exchange.websocket
    assert stored.exchange.response.status == 101 and conversation is not None
    assert [(m.from_client, m.data) for m in conversation.messages][:2] == [
        (True, b"hello binary"),
        (True, b"hello text"),
    ]
    assert conversation.messages[0].text is False and conversation.messages[1].text is True
    assert (conversation.close_code, conversation.cut) == (1000, "")


def test_a_socket_open_at_shutdown_is_recorded_cut(tmp_path: Path) -> None:
    path = tmp_path / "ws.cassette"
    runtime = Runtime()
    sockets = WebSockets(runtime)
    with taddons.context(Options(runtime), sockets):
        flow = tflow.twebsocketflow()
        assert flow.websocket is not None
        flow.websocket.close_code = None
        tags(flow)["record"] = str(path)
        sockets.websocket_start(flow)
        sockets.done()
    runtime.cassettes.close()
    (stored,) = reading.read(path).exchanges
    assert stored.exchange.websocket is not None
    assert stored.exchange.websocket.cut == Cut.SHUTDOWN


def test_a_socket_dropped_without_a_close_frame_is_cut_by_who_went() -> None:
    runtime = Runtime()
    journal = Journal(runtime)
    with taddons.context(journal):
        flow = tflow.twebsocketflow(err=True)
        journal.response(flow)  # the 101: journaled only when the socket ends
        assert len(runtime.store.get("default").history) == 0
        journal.websocket_end(flow)
    (entry,) = runtime.store.get("default").history
    assert entry.websocket is not None and entry.websocket.close_code == 1006
    assert entry.websocket.cut == Cut.UPSTREAM  # twebsocketflow: closed by the server
    assert entry.websocket.total == len(entry.websocket.messages) == 3


def test_the_handshake_answers_this_client_without_extensions() -> None:
    flow = tflow.twebsocketflow()
    assert flow.response is not None
    flow.request.headers["Sec-WebSocket-Key"] = "dGhlIHNhbXBsZSBub25jZQ=="
    flow.request.headers["Sec-WebSocket-Protocol"] = "chat, superchat"
    flow.response.headers["Sec-WebSocket-Extensions"] = "permessage-deflate"
    flow.response.headers["Sec-WebSocket-Protocol"] = "chat"
    flow.response.headers["Content-Length"] = "0"
    answered = handshake(flow.request, flow.response)
    expected = hashlib.sha1(b"dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
    assert answered.headers["Sec-WebSocket-Accept"] == base64.b64encode(expected.digest()).decode()
    assert answered.headers["Sec-WebSocket-Protocol"] == "chat"
    assert "Sec-WebSocket-Extensions" not in answered.headers
    assert "Content-Length" not in answered.headers
    assert answered.headers["Connection"] == "Upgrade"
    flow.request.headers.pop("Sec-WebSocket-Protocol")
    assert "Sec-WebSocket-Protocol" not in handshake(flow.request, flow.response).headers


def test_a_flow_to_play_gets_a_player_or_a_400_if_it_is_no_websocket() -> None:
    runtime = Runtime()
    sockets = WebSockets(runtime)
    with taddons.context(sockets):
        recorded = tflow.twebsocketflow()
        to_play(recorded, Conversation((WsMessage(False, b"hi"),)))
        sockets.response(recorded)
        scripted = tflow.twebsocketflow()
        to_play(scripted, WsScript(send=("hello",)))
        sockets.response(scripted)
        plain = tflow.tflow(resp=True)
        to_play(plain, Conversation())
        sockets.response(plain)
    assert isinstance(internals.stash(recorded)[internals._PLAYER], Player)
    assert isinstance(internals.stash(scripted)[internals._PLAYER], ScriptPlayer)
    assert plain.response is not None and plain.response.status_code == 400


def test_a_missed_message_is_journaled_as_a_miss_with_its_body() -> None:
    runtime = Runtime()
    sockets = WebSockets(runtime)
    with taddons.context(sockets):
        flow = tflow.twebsocketflow()
        to_play(flow, Conversation((WsMessage(True, b"hi"),)))
        sockets.response(flow)
        player = internals.stash(flow)[internals._PLAYER]
        player.hear(WsMessage(True, b"oops"))
    (entry,) = runtime.store.get("default").history
    assert (entry.source, entry.request.body, entry.error) == (
        Source.MISS,
        b"oops",
        "closed with 1008",
    )
    assert entry.miss is not None and "text 'hi'" in entry.miss
