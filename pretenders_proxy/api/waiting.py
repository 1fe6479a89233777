"""Long-polls: wait until a condition over the store holds, woken by its events, not polling;
a wait whose client went away ends (issue 15: it held its subscription for up to 300 s)."""

import asyncio
import contextlib
from collections.abc import Callable

from aiohttp import web

from pretenders_proxy.errors import BadRequestError
from pretenders_proxy.store.events import Hub

MAX_WAIT = 300.0
CHECK_CLIENT = 0.5
"""Seconds between looks at whether the waiting client is still connected."""


def wait_seconds(value: float | None, name: str = "wait") -> float:
    """A validated wait in seconds (0 when absent)."""
    if value is None:
        return 0.0
    if not 0 <= value <= MAX_WAIT:
        raise BadRequestError(f"{name}={value} must be between 0 and {MAX_WAIT:g} seconds")
    return value


def client_gone(request: web.Request) -> Callable[[], bool]:
    """Whether the client of `request` has closed its connection (aiohttp does not cancel the
    handler then: handler_cancellation is off, so the wait itself looks)."""

    def gone() -> bool:
        transport = request.transport
        return transport is None or transport.is_closing()

    return gone


async def wait_until(
    hub: Hub,
    holds: Callable[[], bool],
    seconds: float,
    gone: Callable[[], bool] = lambda: False,
) -> bool:
    """True as soon as `holds()` is true (checked now and after every event); False on timeout,
    or as soon as `gone()` says nobody waits for the answer any more."""
    if holds() or seconds <= 0:
        return holds()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    changed = asyncio.Event()
    unsubscribe = hub.subscribe(lambda _: changed.set())
    try:
        while not holds():
            left = deadline - loop.time()
            if left <= 0 or gone():
                return holds()
            changed.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(left, CHECK_CLIENT)):
                    await changed.wait()
        return True
    finally:
        unsubscribe()
