"""Recorder: upstream answers that a session records are appended to its cassette, redacted."""

from mitmproxy import ctx, http

from pretenders_proxy.cassette.redact import Redaction
from pretenders_proxy.proxy.capture import capture_of
from pretenders_proxy.proxy.recording import record
from pretenders_proxy.proxy.responder import fail_closed
from pretenders_proxy.server.runtime import Runtime

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
