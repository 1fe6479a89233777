"""Replayer: a replaying session's requests are answered from its cassettes."""

import logging

from mitmproxy import http

from pretenders_proxy.matching.modes import Mode
from pretenders_proxy.model.journal import Source
from pretenders_proxy.proxy.convert import request_from_flow, response_to_flow
from pretenders_proxy.proxy.misses import fail_closed
from pretenders_proxy.proxy.tags import answered, session_of
from pretenders_proxy.runtime import Runtime

logger = logging.getLogger(__name__)


class Replayer:
    """After the presets: the next recording of an equal request answers; else MissReply decides."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def request(self, flow: http.HTTPFlow) -> None:
        if flow.response is not None or flow.error is not None:
            return
        session = self.runtime.store.find(session_of(flow))
        if session is None or session.playback.mode is not Mode.REPLAY:
            return
        try:
            recorded = session.playback.tape.play(request_from_flow(flow.request))
        except Exception as e:  # mitmproxy would forward a flow whose addon failed: fail closed
            logger.exception("replay of %s failed", flow.request.pretty_url)
            fail_closed(flow, f"replaying this request failed: {e!r}")
            return
        if recorded is not None:
            answered(flow, Source.CASSETTE, cassette=recorded.where)
            flow.response = response_to_flow(recorded.exchange.response)
