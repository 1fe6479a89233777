"""Misses: a request nothing answered gets the miss reply, naming the closest preset."""

from mitmproxy import http

from pretenders_proxy.matching.subject import Subject
from pretenders_proxy.model.journal import Source
from pretenders_proxy.proxy.convert import flow_response, request_from_flow
from pretenders_proxy.proxy.tags import answered, session_of
from pretenders_proxy.runtime import Runtime
from pretenders_proxy.store.presets import explain_miss, miss_response


class MissReply:
    """Last in the request chain: in mock mode an unanswered request never goes upstream."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def request(self, flow: http.HTTPFlow) -> None:
        if flow.response is not None or flow.error is not None:
            return
        session = self.runtime.store.find(session_of(flow))
        subject = Subject(request_from_flow(flow.request))
        if session is None:
            explanation = f"No preset matched {subject.line}: its session is gone.\n"
        else:
            explanation = explain_miss(subject, session.presets.nearest(subject))
        missed = miss_response(self.runtime.settings.miss_status, explanation)
        answered(flow, Source.MISS, miss=explanation)
        flow.response = flow_response(missed.status, missed.headers, missed.body)
