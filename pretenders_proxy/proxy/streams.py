"""Streams: an upstream response that may be long or endless (server-sent events, a body of
unknown length, gRPC, a large download) goes to the client piece by piece as it arrives, and is
captured with the timing of its pieces for the recording and history; cut ones are kept too."""

import logging
import time
from typing import Any

from mitmproxy import ctx, http
from mitmproxy.net.http.http1 import expected_http_body_size

from pretenders_proxy.model.journal import REPLY_PREVIEW
from pretenders_proxy.model.stream import Cut
from pretenders_proxy.proxy.capture import Capture, attach, capture_of
from pretenders_proxy.proxy.recording import record
from pretenders_proxy.proxy.tags import is_control, note, tags
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.store.answering import Failed

logger = logging.getLogger(__name__)

STREAM_ABOVE = 1024 * 1024
"""A response announcing a longer body (Content-Length) streams. Below it, holding the body
costs little (a MiB, milliseconds on a local network) and keeps what only a held response can
have: when the exchange cannot be recorded, the client gets a 500 saying so instead."""

STREAMED_TYPES = ("text/event-stream", "application/grpc")
"""Content types that stream whatever their length: their pieces mean something on their own."""


def streams(request: http.Request, response: http.Response) -> bool:
    """Whether the response goes to the client piece by piece rather than whole."""
    if response.status_code == 101:
        return False  # a protocol switch (WebSocket): no body
    try:
        size = expected_http_body_size(request, response)
    except ValueError:
        return False  # mitmproxy refuses a bad length itself
    if size == 0:
        return False
    kind = response.headers.get("content-type", "").strip().lower()
    return kind.startswith(STREAMED_TYPES) or size is None or size < 0 or size > STREAM_ABOVE


class Streams:
    """Turns streaming on for the responses `streams` picks; records each when it ends or is cut."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.live: dict[str, http.HTTPFlow] = {}
        """Flows streaming now, by id: what is still open at shutdown is recorded as cut."""

    def responseheaders(self, flow: http.HTTPFlow) -> None:
        response = flow.response
        if response is None or flow.error is not None:
            return
        if response.raw_content is not None:
            return  # made here (a preset, a recording, a miss; mitmproxy emulates this hook)
        if not streams(flow.request, response):
            return
        if is_control(flow):  # our own API (its event stream): passed on, never captured
            response.stream = True
            return
        recording = "record" in tags(flow)
        limit = self.runtime.settings.max_body_size if recording else REPLY_PREVIEW
        capture = Capture(limit, time.monotonic(), over=Cut.SIZE if recording else None)
        attach(flow, capture)
        self.live[flow.id] = flow
        expected = expected_http_body_size(flow.request, response)
        response.stream = Passer(self, flow, capture, expected if expected else None)

    def response(self, flow: http.HTTPFlow) -> None:
        capture = capture_of(flow)
        if capture is not None and not capture.ended:
            self.finish(flow, capture)

    def error(self, flow: http.HTTPFlow) -> None:
        capture = capture_of(flow)
        if capture is None or capture.ended:
            return
        capture.stop(_why_cut(flow, capture))
        self.end(flow, capture)

    def done(self) -> None:
        for flow in list(self.live.values()):
            capture = capture_of(flow)
            if capture is not None and not capture.ended:
                capture.stop(Cut.SHUTDOWN)
                self.end(flow, capture)

    def finish(self, flow: http.HTTPFlow, capture: Capture) -> bool:
        """The stream came whole: record it; when that fails, break the client's connection off
        rather than let it take the stream as complete (its head went out: no 500 any more)."""
        failed = self.end(flow, capture)
        if failed is None:
            return True
        problem = f"this stream could not be recorded: {failed}"
        note(flow, Failed(problem).note)
        tags(flow)["fault"] = problem
        if flow.killable:
            flow.kill()
        return False

    def end(self, flow: http.HTTPFlow, capture: Capture) -> str | None:
        """Record the stream as captured (cut or whole); what went wrong when it could not be."""
        capture.ended = True
        self.live.pop(flow.id, None)
        try:
            failed = record(self.runtime, flow)
        except Exception as e:  # a bug: the stream must not pass for recorded
            logger.exception("NOT RECORDED: %s %s", flow.request.method, flow.request.url)
            return repr(e)
        return None if failed is None else str(failed)


def _why_cut(flow: http.HTTPFlow, capture: Capture) -> Cut:
    """Why the stream broke off: a timeout's silence (UpstreamTimeout notes its fault; the idle
    timeout closes both connections when nothing passed for `tcp_timeout` seconds), the
    client gone (its connection no longer open), or else the upstream."""
    noted = tags(flow)
    idle = float(getattr(ctx.options, "tcp_timeout", 0) or 0)
    if "fault" not in noted and idle and time.monotonic() - capture.last >= idle - 0.1:
        noted["fault"] = f"the stream was silent for {idle:g}s (--idle-timeout)"
    if "fault" in noted:
        return Cut.SILENT
    return Cut.UPSTREAM if flow.client_conn.connected else Cut.CLIENT


class Passer:
    """`response.stream` of one flow: mitmproxy calls it with each piece as it arrives, and
    with b"" at the end of the body; it captures the piece and passes it on at once."""

    def __init__(
        self, owner: Streams, flow: http.HTTPFlow, capture: Capture, expected: int | None
    ) -> None:
        self.owner, self.flow, self.capture = owner, flow, capture
        self.expected = expected if expected is not None and expected > 0 else None
        self.held = b""

    def __call__(self, data: bytes) -> Any:
        capture = self.capture
        if data:
            capture.add(data, time.monotonic())
            if self.expected is not None and capture.size >= self.expected and not self.held:
                # The last byte of a Content-Length body waits for the recording: a client that
                # got them all would take the body as complete, recorded or not.
                self.held, data = data[-1:], data[:-1]
            return [data] if data else []
        if not self.held or capture.ended:
            return []  # the end of a body of unknown length: the response hook records it
        held, self.held = self.held, b""
        return [held] if self.owner.finish(self.flow, capture) else []
