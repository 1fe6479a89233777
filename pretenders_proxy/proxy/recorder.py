"""Recorder: upstream answers that a session records are appended to its cassette, redacted."""

import logging

from mitmproxy import ctx, http

from pretenders_proxy.cassette.redact import Redaction, redact
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.matching.modes import Mode
from pretenders_proxy.model.stream import Conversation
from pretenders_proxy.proxy.capture import capture_of
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
        if flow.response is None or capture_of(flow) is not None:
            return  # a streamed response is recorded by Streams, before its end goes out
        if flow.websocket is not None:  # proxy/websocket.py records it once the socket ends
            return
        failed = record(self.runtime, flow)
        if failed is not None:
            fail_closed(flow, f"this exchange could not be recorded: {failed}")

    def done(self) -> None:
        self.runtime.cassettes.close()


def record(
    runtime: Runtime, flow: http.HTTPFlow, websocket: Conversation | None = None
) -> CassetteError | None:
    """Append the flow's exchange (with the WebSocket conversation that followed it) to the
    cassette the Responder marked it for, if any; what went wrong when it could not be (logged
    loudly: the app must not go on unrecorded, unaware)."""
    path = tags(flow).get("record")
    if path is None or flow.response is None:
        return None
    cassettes = runtime.cassettes
    exchange = redact(exchange_from_flow(flow, websocket), cassettes.redaction)
    try:
        writer, offset = cassettes.append(path, exchange)
    except CassetteError as e:
        logger.error("NOT RECORDED: %s %s: %s", flow.request.method, flow.request.url, e)
        return e
    session = runtime.store.find(session_of(flow))
    if session is not None and session.playback.mode is Mode.REPLAY:
        # on-miss record: later equal requests replay what was just recorded
        recorded = Recorded.of(path, writer.count, offset, exchange)
        session.playback.tape.add(recorded, played=True)
    return None
