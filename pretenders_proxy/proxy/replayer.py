"""Replayer: a replaying session's requests are answered from its cassettes."""

import logging

from mitmproxy import ctx, http

from pretenders_proxy.errors import CassetteError
from pretenders_proxy.matching.modes import Mode
from pretenders_proxy.model.journal import Source
from pretenders_proxy.proxy.convert import request_of, response_to_flow
from pretenders_proxy.proxy.misses import fail_closed
from pretenders_proxy.proxy.tags import answered, is_control, session_of
from pretenders_proxy.server.runtime import Runtime

logger = logging.getLogger(__name__)
LAZY = {"connection_strategy": "lazy", "upstream_cert": False}


class Replayer:
    """After the presets: the next recording of an equal request answers; else MissReply decides."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def configure(self, updated: set[str]) -> None:
        # Fail closed: mitmproxy would otherwise connect upstream for every client connection
        # (eager) and for upstream certificates, before any request is answered from a cassette.
        options = ctx.options
        wrong = {n: v for n, v in LAZY.items() if n in updated and getattr(options, n) != v}
        if wrong:
            logger.warning("pretenders sets %s so that replay never connects upstream", wrong)
            options.update(**wrong)

    def request(self, flow: http.HTTPFlow) -> None:
        if flow.response is not None or flow.error is not None or is_control(flow):
            return
        session = self.runtime.store.find(session_of(flow))
        if session is None or session.playback.mode is not Mode.REPLAY:
            return
        try:
            recorded = session.playback.tape.play(request_of(flow))
            response = None if recorded is None else recorded.response()
        except CassetteError as e:  # the cassette changed or broke since it was loaded
            logger.error("replay of %s failed: %s", flow.request.pretty_url, e)
            fail_closed(flow, f"replaying this request failed: {e}")
            return
        except Exception as e:  # mitmproxy would forward a flow whose addon failed: fail closed
            logger.exception("replay of %s failed", flow.request.pretty_url)
            fail_closed(flow, f"replaying this request failed: {e!r}")
            return
        if recorded is not None and response is not None:
            answered(flow, Source.CASSETTE, cassette=recorded.where)
            flow.response = response_to_flow(response)
