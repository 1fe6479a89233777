"""Appending a proxied exchange to the cassette its session records to, redacted: one way for
every addon that records (Recorder, Streams, WebSockets)."""

import logging

from mitmproxy import http

from pretenders_proxy.cassette.redact import redact
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.matching.modes import Mode
from pretenders_proxy.model.stream import Conversation
from pretenders_proxy.proxy.convert import exchange_from_flow
from pretenders_proxy.proxy.tags import session_of, tags
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.store.tape import Recorded

logger = logging.getLogger(__name__)


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
        # on-miss record: later equal requests replay what was just recorded; on-stale
        # record: it takes the stale one's place
        recorded = Recorded.of(path, writer.count, offset, exchange)
        replaces = tags(flow).get("replaces")
        if replaces is None:
            session.playback.tape.add(recorded, played=True)
        else:
            session.playback.tape.replace(replaces, recorded)
    return None
