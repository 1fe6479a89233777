"""WebSockets: one recorded with its conversation when it closes (or is cut); one answered from a
recording or a preset is played offline by store.player, pretenders being the server."""

import logging
from dataclasses import replace

from mitmproxy import http
from mitmproxy.addonmanager import Loader
from wsproto.utilities import generate_accept_token

from pretenders_proxy.model.journal import Note, Source, TrafficProtocol
from pretenders_proxy.model.preset import WsScript
from pretenders_proxy.model.stream import Conversation, Cut, WsMessage
from pretenders_proxy.proxy import internals
from pretenders_proxy.proxy.convert import (
    conversation_from_flow,
    reply_to_flow,
    request_of,
)
from pretenders_proxy.proxy.recording import record
from pretenders_proxy.proxy.tags import session_of, tags
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.store.answering import missed
from pretenders_proxy.store.player import Player, ScriptPlayer

logger = logging.getLogger(__name__)
_TO_PLAY = "_pretenders_ws_to_play"
ANSWERED = frozenset(
    {b"connection", b"upgrade", b"sec-websocket-accept", b"sec-websocket-extensions"}
)
"""Headers of a recorded 101 that the handshake answered now sets anew (no extension is used:
pretenders sends every message uncompressed, which a client offering one must accept)."""


def to_play(flow: http.HTTPFlow, what: Conversation | WsScript) -> None:
    """Answer the WebSocket this flow's 101 opens with `what` (the Responder's call)."""
    internals.stash(flow)[_TO_PLAY] = what


class WebSockets:
    """Plays the sockets the Responder answered; records those a session records."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.recording: dict[int, http.HTTPFlow] = {}
        """The recorded sockets still open, by id(flow): recorded as cut at shutdown."""

    def load(self, loader: Loader) -> None:
        internals.take_websocket_urls()
        internals.serve_websockets()

    def response(self, flow: http.HTTPFlow) -> None:
        what: Conversation | WsScript | None = internals.stash(flow).pop(_TO_PLAY, None)
        if what is None and flow.websocket is not None and _answered_here(flow):
            what = Conversation()  # a 101 with no conversation: every message is a miss
        if what is None or flow.response is None:
            return
        if flow.websocket is None:  # a 101 mitmproxy would not serve as a WebSocket
            problem = "this is not a WebSocket handshake (Upgrade: websocket, version 13)"
            flow.response = reply_to_flow(missed(f"pretenders: {problem}\n", 400).response)
            return
        flow.response = handshake(flow.request, flow.response)
        player: internals.WsPlayer
        if isinstance(what, WsScript):
            player = ScriptPlayer(what, lambda heard, why: self._missed(flow, heard, why))
        else:
            player = Player(what, lambda heard, why: self._missed(flow, heard, why))
        internals.play_websocket(flow, player)

    def _missed(self, flow: http.HTTPFlow, heard: WsMessage, explanation: str) -> None:
        """A client message nothing answers: a miss in history, the message as its body."""
        store = self.runtime.store
        session = store.find(session_of(flow))
        if session is None:
            return
        request = request_of(flow)
        asked = replace(request, body=heard.data)
        note = Note(Source.MISS, miss=explanation, error="closed with 1008")
        self.runtime.state.journal(session, asked, note, protocol=TrafficProtocol.WEBSOCKET)

    def websocket_start(self, flow: http.HTTPFlow) -> None:
        if "record" in tags(flow):
            self.recording[id(flow)] = flow

    def websocket_end(self, flow: http.HTTPFlow) -> None:
        if self.recording.pop(id(flow), None) is not None:
            self._record(flow, None)

    def done(self) -> None:
        for flow in list(self.recording.values()):
            self._record(flow, Cut.SHUTDOWN)
        self.recording.clear()

    def _record(self, flow: http.HTTPFlow, cut: Cut | None) -> None:
        """Append the handshake and its conversation to the session's cassette (the Recorder
        leaves a 101 to this); too late to tell the client when that fails: logged loudly."""
        record(self.runtime, flow, conversation_from_flow(flow, cut))


def _answered_here(flow: http.HTTPFlow) -> bool:
    return tags(flow).get("source") in (Source.PRESET, Source.CASSETTE)


def handshake(request: http.Request, recorded: http.Response) -> http.Response:
    """The recorded 101 answering this client: its own `Sec-WebSocket-Accept`, no extension, and
    the recorded subprotocol only if the client offers it."""
    key = request.headers.get("sec-websocket-key", "")
    offered = {p.strip() for p in request.headers.get("sec-websocket-protocol", "").split(",")}
    response = recorded.copy()
    headers = response.headers
    for name in list(headers.keys()):
        lower = name.lower().encode()
        unoffered = lower == b"sec-websocket-protocol" and headers[name] not in offered
        if lower in ANSWERED or lower == b"content-length" or unoffered:
            del headers[name]
    headers["Upgrade"] = "websocket"
    headers["Connection"] = "Upgrade"
    headers["Sec-WebSocket-Accept"] = generate_accept_token(key.encode()).decode()
    return response
