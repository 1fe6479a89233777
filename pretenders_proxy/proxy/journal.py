"""Journal: every completed proxied exchange goes into its session's history (a WebSocket's
handshake once the socket ends, with its messages)."""

import time
from collections.abc import Awaitable

from mitmproxy import http

from pretenders_proxy.model.journal import REPLY_PREVIEW, talk_of
from pretenders_proxy.proxy.capture import capture_of
from pretenders_proxy.proxy.convert import conversation_from_flow, request_of, response_of
from pretenders_proxy.proxy.tags import is_control, note_of, session_of, tags
from pretenders_proxy.server.runtime import Runtime


class Journal:
    """Journals each flow once, when it ends: with its response, or with the error it met."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def response(self, flow: http.HTTPFlow) -> Awaitable[object] | None:
        if flow.websocket is None:  # else journaled at websocket_end
            return self._journal(flow)
        return None

    def websocket_end(self, flow: http.HTTPFlow) -> Awaitable[object] | None:
        return self._journal(flow)

    def error(self, flow: http.HTTPFlow) -> Awaitable[object] | None:
        return self._journal(flow)

    def _journal(self, flow: http.HTTPFlow) -> Awaitable[object] | None:
        """Journal `flow`; what to await before it is answered (a shared store's write)."""
        if is_control(flow):
            return None
        session = self.runtime.store.find(session_of(flow))
        if session is None:
            return None
        noted = tags(flow)
        response, error, ended = None, None, time.time()
        captured = capture_of(flow)
        if flow.error is not None:  # also after a response head (a body cut short: a 502)
            error = f"fault: {noted['fault']}" if "fault" in noted else flow.error.msg
            ended = flow.error.timestamp
        elif flow.response is not None:
            ended = flow.response.timestamp_end or ended
        if flow.error is None or captured is not None:  # a stream cut: what the client got
            response = response_of(flow, preview=REPLY_PREVIEW)
        duration_ms = (ended - flow.request.timestamp_start) * 1000
        note = note_of(flow, error)
        size = captured.size if captured is not None else None
        conversation = conversation_from_flow(flow)
        talk = None if conversation is None else talk_of(conversation)
        return self.runtime.state.journal(
            session,
            request_of(flow),
            note,
            response,
            duration_ms=duration_ms,
            size=size,
            websocket=talk,
        )
