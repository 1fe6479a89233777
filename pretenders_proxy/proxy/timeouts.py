"""UpstreamTimeout: a request passed upstream that gets no complete answer in time gets a 502.

A streamed response (proxy/streams.py) is timed again from each piece: a live stream whose gaps
are shorter than the timeout goes on; one silent for longer is cut.

mitmproxy itself waits for an upstream answer as long as the connection lives (`tcp_timeout`,
ten minutes of silence), so a hung service would hang the app under test with it.
"""

import asyncio
import logging
import math
import time

from mitmproxy import ctx, exceptions, http

from pretenders_proxy.proxy import internals
from pretenders_proxy.proxy.capture import capture_of
from pretenders_proxy.proxy.tags import is_settled, tags

logger = logging.getLogger(__name__)
OPTION = "pretenders_upstream_timeout"


class UpstreamTimeout:
    """Last in the request chain: times each flow that goes upstream until its response ends."""

    def __init__(self) -> None:
        self.seconds = 0.0  # no limit until configure() reads the option
        self._timers: dict[str, asyncio.TimerHandle] = {}

    def configure(self, updated: set[str]) -> None:
        if OPTION in updated:
            seconds = float(getattr(ctx.options, OPTION))
            if not (seconds >= 0 and math.isfinite(seconds)):
                raise exceptions.OptionsError(
                    f"pretenders: upstream timeout {seconds:g} must be 0 or a positive number"
                )
            self.seconds = seconds

    def request(self, flow: http.HTTPFlow) -> None:
        if is_settled(flow):
            return
        if self.seconds > 0:
            loop = asyncio.get_running_loop()
            self._timers[flow.id] = loop.call_later(self.seconds, self._expire, flow)

    def response(self, flow: http.HTTPFlow) -> None:
        self._cancel(flow)

    def error(self, flow: http.HTTPFlow) -> None:
        self._cancel(flow)

    def _cancel(self, flow: http.HTTPFlow) -> None:
        if (timer := self._timers.pop(flow.id, None)) is not None:
            timer.cancel()

    def _expire(self, flow: http.HTTPFlow) -> None:
        self._timers.pop(flow.id, None)
        if not internals.has_upstream(flow):
            return  # the client or the upstream connection is gone already
        problem = f"upstream did not answer within {self.seconds:g}s (--upstream-timeout)"
        if (capture := capture_of(flow)) is not None:
            silent = time.monotonic() - capture.last
            if silent < self.seconds:  # a live stream: time its next gap
                loop = asyncio.get_running_loop()
                self._timers[flow.id] = loop.call_later(self.seconds - silent, self._expire, flow)
                return
            problem = f"the stream was silent for {self.seconds:g}s (--upstream-timeout)"
        logger.warning("%s %s: %s", flow.request.method, flow.request.pretty_url, problem)
        tags(flow)["fault"] = problem
        internals.close_upstream(flow)  # mitmproxy answers the client with a 502
