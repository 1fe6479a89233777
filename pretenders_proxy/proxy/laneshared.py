"""A replay the proxy lane answers from a shared store's copy with no task and no coroutine: the
`advance` and then the history entry's `append` are the link's futures, each carried on by a
callback; anything else (no copy, presets, a copy out of date) goes the awaited way."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast

from pretenders_proxy.proxy.lanecall import Call
from pretenders_proxy.server.tasks import spawn
from pretenders_proxy.store.session import Session

if TYPE_CHECKING:
    from pretenders_proxy.proxy.front import Answered
    from pretenders_proxy.proxy.lane import ProxyLane
    from pretenders_proxy.shared.state import Advance, SharedState

type Done = Callable[["Answered | BaseException"], None]
"""What is called with the lane's answer to a request, or the error that stopped it."""


class Replay:
    """One request replayed from the copy: decided when its `advance` replies, answered once
    its history entry is in Redis (as the awaited way answers)."""

    __slots__ = ("_begun", "_call", "_copy", "_done", "_lane", "_opened", "_started", "_wire")

    def __init__(
        self,
        lane: "ProxyLane",
        call: Call,
        opened: Session,
        copy: Session,
        begun: "Advance",
        started: float,
        done: Done,
    ) -> None:
        self._lane, self._call, self._opened, self._copy = lane, call, opened, copy
        self._begun, self._started, self._done = begun, started, done
        self._wire = b""

    @staticmethod
    def start(lane: "ProxyLane", call: Call, opened: Session, started: float, done: Done) -> bool:
        """Begin replaying `call` from the copy of `opened`'s session; False when the copy
        cannot answer alone (the caller awaits `ProxyLane.answer` then)."""
        state = cast("SharedState", lane.runtime.state)
        copy = state.copy(opened.name)
        try:
            begun = None if copy is None else state.replay_begun(copy, call.request)
        except Exception as e:  # as the awaited way: mitmproxy answers the error
            done(lane.refused(e))
            return True
        if copy is None or begun is None:
            return False
        replay = Replay(lane, call, opened, copy, begun, started, done)
        begun[2].add_done_callback(replay._advanced)
        return True

    def _advanced(self, played: "asyncio.Future[int]") -> None:
        lane, call = self._lane, self._call
        failed = _failure(played)
        if isinstance(failed, Exception):  # as the awaited way: mitmproxy answers the error
            return self._done(lane.refused(failed))
        if failed is not None:  # the loop stopping
            return self._done(failed)
        settings = lane.runtime.settings
        miss, budget = settings.miss_status, settings.regex_timeout
        state = cast("SharedState", lane.runtime.state)
        try:
            request, begun = call.request, self._begun
            outcome = state.replayed(self._copy, request, begun, played.result(), miss, budget)
        except Exception as e:
            return self._done(lane.refused(e))
        if outcome is None:  # the copy was out of date: nothing advanced; checked first now
            return lane.awaited(call, self._opened, self._started, self._done, fresh=True)
        answered, written = lane.finish(call, self._opened, self._copy, outcome, self._started)
        if written is None or not isinstance(answered, bytes):
            return self._done(answered)
        self._wire = answered
        if not isinstance(written, asyncio.Future):  # a store's journal that is no future
            written = spawn(_awaiting(written), name="pretenders.proxy.journal")
        written.add_done_callback(self._written)

    def _written(self, written: "asyncio.Future[Any]") -> None:
        failed = _failure(written)
        self._done(self._wire if failed is None else failed)


def settled(task: "asyncio.Future[Answered]") -> "Answered | BaseException":
    """What a finished task of `ProxyLane.answer` gives `Done`."""
    failed = _failure(task)
    return task.result() if failed is None else failed


async def _awaiting(written: Awaitable[object]) -> object:
    return await written


def _failure(future: "asyncio.Future[Any]") -> BaseException | None:
    if future.cancelled():
        return asyncio.CancelledError()
    return future.exception()
