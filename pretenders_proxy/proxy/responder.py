"""Responder: a proxied request is answered as `store.answering.answer` decides (the decision
/mockhttp/ takes too): a preset's reply or fault, a recording, the miss reply, or the upstream."""

import asyncio
import logging
from typing import TYPE_CHECKING

from mitmproxy import ctx, http
from mitmproxy.addonmanager import Loader

from pretenders_proxy.errors import CassetteError, StoreUnavailableError, TooManySessionsError
from pretenders_proxy.model import grpc
from pretenders_proxy.model.preset import Fault
from pretenders_proxy.proxy import internals, websocket
from pretenders_proxy.proxy.convert import (
    error_to_flow,
    pace,
    reply_to_flow,
    request_of,
    response_to_flow,
)
from pretenders_proxy.proxy.tags import is_settled, note, session_of, tags
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.server.sockets import reset_on_close
from pretenders_proxy.store.answering import (
    Failed,
    Missed,
    Outcome,
    Replayed,
    Upstream,
    Via,
    missed,
    unavailable,
)
from pretenders_proxy.store.presets import PresetFault, PresetReply

if TYPE_CHECKING:
    from pretenders_proxy.proxy.lane import ProxyLane

logger = logging.getLogger(__name__)
LAZY = {"connection_strategy": "lazy", "upstream_cert": False}


class Responder:
    """Carries out the decision on each request no addon before it settled."""

    def __init__(self, runtime: Runtime, lane: "ProxyLane | None" = None) -> None:
        self.runtime = runtime
        self.lane = lane  # decisions the fast lane made for requests it handed over

    def load(self, loader: Loader) -> None:
        internals.pace_responses()

    def configure(self, updated: set[str]) -> None:
        # Fail closed: mitmproxy would otherwise connect upstream for every client connection
        # (eager) and for upstream certificates, before any request is answered from a cassette.
        options = ctx.options
        wrong = {n: v for n, v in LAZY.items() if n in updated and getattr(options, n) != v}
        if wrong:
            logger.warning("pretenders sets %s so that replay never connects upstream", wrong)
            options.update(**wrong)

    async def request(self, flow: http.HTTPFlow) -> None:
        decided = self.lane.take(flow) if self.lane is not None else None
        if is_settled(flow):
            return
        settings = self.runtime.settings
        try:
            if decided is None:
                outcome, speed = await self._decide(flow)
            elif decided.outcome is None:  # deciding on the fast lane failed: said here
                raise decided.error or RuntimeError("the fast lane decided nothing")
            else:
                outcome, speed = decided.outcome, decided.speed
        except StoreUnavailableError as e:  # nothing can decide: said, never passed on
            flow.response = error_to_flow(flow, unavailable(str(e)), grpc.Status.UNAVAILABLE)
            return
        except TooManySessionsError as e:
            answer = missed(f"pretenders: {e}\n", 429).response
            flow.response = error_to_flow(flow, answer, grpc.Status.UNAVAILABLE)
            return
        except Exception as e:  # mitmproxy would forward a flow whose addon failed: fail closed
            logger.exception("deciding on %s failed", flow.request.pretty_url)
            fail_closed(flow, f"deciding what to do with this request failed: {e!r}")
            return
        await _carry_out(flow, outcome, speed if speed is not None else settings.replay_speed)

    async def _decide(self, flow: http.HTTPFlow) -> tuple[Outcome, float | None]:
        """The decision on the flow, and the replay speed of its session (None: the server's)."""
        runtime = self.runtime
        state, settings = runtime.state, runtime.settings
        # The SessionRouter made the session here; a shared store makes it for every instance
        # (and checks its copy as it answers: one round trip for a replay).
        name = session_of(flow)
        session = await state.traffic(name, create=state.shared, verified=False)
        outcome = await state.answer(
            session,
            request_of(flow),
            Via.PROXY,
            settings.miss_status,
            settings.regex_timeout,
            checked=False,
        )
        return outcome, None if session is None else session.playback.config.replay_speed


async def _carry_out(flow: http.HTTPFlow, outcome: Outcome, speed: float) -> None:
    """Answer the flow as `outcome` says (after a preset's delay), noting it for the Journal;
    a recorded stream plays at `speed`, a preset's at the pace it gives."""
    note(flow, outcome.note)
    match outcome:
        case PresetReply(_, response, after, _, script):
            if after:
                await asyncio.sleep(after)
            flow.response = reply_to_flow(response)
            pace(flow, response, 1.0)
            if script is not None:
                websocket.to_play(flow, script)
        case PresetFault(_, fault, after):
            if after:
                await asyncio.sleep(after)
            _break_connection(flow, fault)
        case Replayed(response, where, conversation):
            tags(flow)["cassette"] = where
            flow.response = response_to_flow(response, http2=flow.request.is_http2)
            pace(flow, response, speed)
            if conversation is not None:
                websocket.to_play(flow, conversation)
        case Upstream(record, replaces):
            if record is not None:
                tags(flow)["record"] = record
            if replaces is not None:
                tags(flow)["replaces"] = replaces
        case Missed(_, response):
            flow.response = error_to_flow(flow, response, grpc.Status.NOT_FOUND)
        case Failed(problem, error):
            _log_failure(flow, problem, error)
            flow.response = error_to_flow(flow, outcome.response, grpc.Status.INTERNAL)


def fail_closed(flow: http.HTTPFlow, problem: str) -> None:
    """Answer with a 500 saying what went wrong, rather than let the request go upstream."""
    failed = Failed(problem)
    note(flow, failed.note)
    flow.response = error_to_flow(flow, failed.response, grpc.Status.INTERNAL)


def _log_failure(flow: http.HTTPFlow, problem: str, error: Exception | None) -> None:
    url = flow.request.pretty_url
    if error is None or isinstance(error, CassetteError):  # it says it all
        logger.error("replay of %s failed: %s", url, error or problem)
    else:  # a bug: its traceback
        logger.error("replay of %s failed", url, exc_info=error)


def _break_connection(flow: http.HTTPFlow, fault: Fault) -> None:
    tags(flow)["fault"] = str(fault)
    if fault is Fault.RESET:
        reset_on_close(internals.client_socket(flow))  # None: a FIN is the next best thing
    flow.kill()
