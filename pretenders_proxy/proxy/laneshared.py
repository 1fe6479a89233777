"""A replay the proxy lane answers from a shared store's copy with no task and no coroutine: the
`advance` and then the history entry's `append` are the link's calls, each carried on by a
callback (one `append` that advances too, when the key's one recording answers however often it
was played); anything else (no copy, presets, a copy out of date) goes the awaited way."""

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from pretenders_proxy.proxy.lanecall import Call
from pretenders_proxy.store.session import Session

if TYPE_CHECKING:
    from pretenders_proxy.proxy.front import Answered
    from pretenders_proxy.proxy.lane import ProxyLane
    from pretenders_proxy.shared.link import Then
    from pretenders_proxy.shared.state import Advance, Cursor, SharedState
    from pretenders_proxy.store.answering import Outcome

type Done = Callable[["Answered | BaseException"], None]
"""What is called with the lane's answer to a request, or the error that stopped it."""

logger = logging.getLogger(__name__)


class Replay:
    """One request replayed from the copy: decided when its `advance` replies, answered once
    its history entry is in Redis (as the awaited way answers), each reply handed on the moment
    it is read."""

    __slots__ = ("_begun", "_call", "_copy", "_done", "_lane", "_opened", "_started", "_wire")

    def __init__(
        self,
        lane: "ProxyLane",
        call: Call,
        opened: Session,
        copy: Session,
        started: float,
        done: Done,
    ) -> None:
        self._lane, self._call, self._opened, self._copy = lane, call, opened, copy
        self._started, self._done = started, done
        self._begun: Advance | None = None
        self._wire = b""

    @staticmethod
    def start(lane: "ProxyLane", call: Call, opened: Session, started: float, done: Done) -> bool:
        """Begin replaying `call` from the copy of `opened`'s session; False when the copy
        cannot answer alone (the caller awaits `ProxyLane.answer` then)."""
        state = cast("SharedState", lane.runtime.state)
        copy = state.copy(opened.name)
        if copy is None:
            return False
        replay = Replay(lane, call, opened, copy, started, done)
        settings = lane.runtime.settings
        try:
            once = state.replay_once(
                copy, call.request, settings.miss_status, settings.regex_timeout
            )
            if once is not None and lane.writes(once[0]):
                replay._finish(once[0], replay._once, once[1])
                return True
            replay._begun = state.replay_begun(copy, call.request, replay._advanced)
        except Exception as e:  # as the awaited way: mitmproxy answers the error
            done(lane.refused(e))
            return True
        return replay._begun is not None

    def _advanced(self, played: Any, error: Exception | None) -> None:
        lane, call, begun = self._lane, self._call, self._begun
        assert begun is not None  # the reply never comes before replay_begun returned
        if error is not None:  # as the awaited way: mitmproxy answers the error
            return self._done(lane.refused(error))
        settings = lane.runtime.settings
        miss, budget = settings.miss_status, settings.regex_timeout
        state = cast("SharedState", lane.runtime.state)
        try:
            outcome = state.replayed(self._copy, call.request, begun, played, miss, budget)
        except Exception as e:
            return self._done(lane.refused(e))
        if outcome is None:  # the copy was out of date: nothing advanced; checked first now
            return lane.awaited(call, self._opened, self._started, self._done, fresh=True)
        self._finish(outcome, self._written)

    def _finish(self, outcome: "Outcome", then: "Then", cursor: "Cursor | None" = None) -> None:
        """Answer with `outcome` once its entry is kept (`then` hears the `append`)."""
        answered, written = self._lane.finish(
            self._call, self._opened, self._copy, outcome, self._started, then, cursor
        )
        if written is None or not isinstance(answered, bytes):
            return self._done(answered)
        self._wire = answered

    def _once(self, kept: Any, error: Exception | None) -> None:
        """`_written` for a replay advanced with its entry: nothing kept or advanced (-1: the
        session went, -2: the copy is out of date) is answered again, checked first."""
        if error is None and kept < 0:
            lane = self._lane
            return lane.awaited(self._call, self._opened, self._started, self._done, fresh=True)
        self._written(kept, error)

    def _written(self, kept: Any, error: Exception | None) -> None:
        if error is not None:
            logger.error("a history entry was not kept: %s", error)
        self._done(self._wire if error is None else error)


def settled(task: "asyncio.Future[Answered]") -> "Answered | BaseException":
    """What a finished task of `ProxyLane.answer` gives `Done`."""
    failed = _failure(task)
    return task.result() if failed is None else failed


def _failure(future: "asyncio.Future[Any]") -> BaseException | None:
    if future.cancelled():
        return asyncio.CancelledError()
    return future.exception()
