"""Misses: what happens to a request no preset or recording answered, as its session's mode says.

The miss reply names the closest presets or recordings and how they differ.
"""

import logging

from mitmproxy import http

from pretenders_proxy.matching.modes import MissAction, decide
from pretenders_proxy.matching.subject import Subject
from pretenders_proxy.model.journal import Source
from pretenders_proxy.proxy.convert import flow_response, request_of
from pretenders_proxy.proxy.tags import answered, is_control, session_of, tags
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.store.presets import miss_response

logger = logging.getLogger(__name__)
ERROR_HEADER = (b"X-Pretenders-Error", b"1")


class MissReply:
    """Last in the request chain: a miss is answered here unless the mode lets it go upstream."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def request(self, flow: http.HTTPFlow) -> None:
        if flow.response is not None or flow.error is not None or is_control(flow):
            return
        try:
            self._decide(flow)
        except Exception as e:  # mitmproxy would forward a flow whose addon failed: fail closed
            logger.exception("deciding on %s failed", flow.request.pretty_url)
            fail_closed(flow, f"deciding what to do with this request failed: {e!r}")

    def _decide(self, flow: http.HTTPFlow) -> None:
        session = self.runtime.store.find(session_of(flow))
        subject = Subject(request_of(flow))
        if session is None:
            explanation = f"No preset matched {subject.line}: its session is gone.\n"
        else:
            playback = session.playback
            action = decide(playback.mode, playback.config.on_miss)
            if action is MissAction.FORWARD:
                return
            if action is MissAction.RECORD:
                tags(flow)["record"] = playback.config.recording
                return
            explanation = playback.explain(subject, session.presets)
        missed = miss_response(self.runtime.settings.miss_status, explanation)
        answered(flow, Source.MISS, miss=explanation)
        flow.response = flow_response(missed.status, missed.headers, missed.body)


def fail_closed(flow: http.HTTPFlow, problem: str) -> None:
    """Answer with a 500 saying what went wrong, rather than let the request go upstream."""
    text = f"pretenders: {problem}\n"
    headers = (ERROR_HEADER, (b"Content-Type", b"text/plain; charset=utf-8"))
    answered(flow, Source.MISS, miss=text)
    flow.response = flow_response(500, headers, text.encode())
