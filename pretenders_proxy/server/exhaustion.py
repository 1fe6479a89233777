"""Running out of files (EMFILE, ENFILE on accept) is logged at most once per interval, with how
many times it happened since, instead of a traceback for every failed accept."""

import asyncio
import errno
import logging
import time
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)
INTERVAL = 10.0
EXHAUSTED = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
"""What asyncio's accept loop retries after a second: every failed accept calls the loop's
exception handler, up to 100 times a second per listener (CPython's loop keeps accepting
after the first failure), each a traceback under mitmproxy's handler."""

type Handler = Callable[[asyncio.AbstractEventLoop, dict[str, Any]], object]


class ExhaustionLog:
    """A loop exception handler: resource exhaustion said in one line at most once per
    `interval`; anything else goes on to the handler that was there before."""

    def __init__(
        self,
        previous: Handler | None,
        interval: float = INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.previous = previous
        self.interval = interval
        self.clock = clock
        self.next_line = 0.0
        self.suppressed = 0

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if not (isinstance(error, OSError) and error.errno in EXHAUSTED):
            if self.previous is not None:
                self.previous(loop, context)
            else:
                loop.default_exception_handler(context)
            return
        now = self.clock()
        if now < self.next_line:
            self.suppressed += 1
            return
        since = f"; {self.suppressed} more since the last message" if self.suppressed else ""
        where = _address(context.get("socket"))
        logger.error(
            "cannot accept connections%s: %s (%s)%s; retrying every second, said at most every %gs",
            where,
            error.strerror or error,
            errno.errorcode.get(error.errno or 0, "?"),
            since,
            self.interval,
        )
        self.next_line = now + self.interval
        self.suppressed = 0


def install(loop: asyncio.AbstractEventLoop) -> ExhaustionLog:
    """Put an ExhaustionLog in front of the loop's exception handler (once)."""
    current = loop.get_exception_handler()
    if isinstance(current, ExhaustionLog):
        return current
    handler = ExhaustionLog(current)
    loop.set_exception_handler(handler)
    return handler


def _address(sock: object) -> str:
    try:
        host, port = sock.getsockname()[:2]  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return ""
    return f" on {host}:{port}"
