"""Recorder: upstream answers that a session records are appended to its cassette, redacted."""

import logging

from mitmproxy import ctx, http

from pretenders_proxy.cassette.redact import Redaction, redact
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.matching.modes import Mode
from pretenders_proxy.proxy.convert import exchange_from_flow
from pretenders_proxy.proxy.responder import fail_closed
from pretenders_proxy.proxy.tags import session_of, tags
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.store.tape import Recorded

logger = logging.getLogger(__name__)
OPTIONS = {"pretenders_redact_headers", "pretenders_redact_query"}


class Recorder:
    """Appends each exchange the Responder marked for recording, flushed, or fails it loudly."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def configure(self, updated: set[str]) -> None:
        if updated & OPTIONS:
            self.runtime.cassettes.redaction = Redaction.adding(
                ctx.options.pretenders_redact_headers, ctx.options.pretenders_redact_query
            )

    def response(self, flow: http.HTTPFlow) -> None:
        path = tags(flow).get("record")
        if path is None or flow.response is None:
            return
        if flow.websocket is not None:  # proxy/websocket.py records it once the socket ends
            return
        cassettes = self.runtime.cassettes
        exchange = redact(exchange_from_flow(flow), cassettes.redaction)
        try:
            writer, offset = cassettes.append(path, exchange)
        except CassetteError as e:
            # Loud, as mitmproxy's save addon: the app must not go on unrecorded, unaware.
            logger.error("NOT RECORDED: %s %s: %s", flow.request.method, flow.request.url, e)
            fail_closed(flow, f"this exchange could not be recorded: {e}")
            return
        session = self.runtime.store.find(session_of(flow))
        if session is not None and session.playback.mode is Mode.REPLAY:
            # on-miss record: later equal requests replay what was just recorded
            recorded = Recorded.of(path, writer.count, offset, exchange)
            session.playback.tape.add(recorded, played=True)

    def done(self) -> None:
        self.runtime.cassettes.close()
