"""Long-polls: wait until a condition over the store holds, woken by its events, not polling."""

import asyncio
from collections.abc import Callable

from pretenders_proxy.errors import BadRequestError
from pretenders_proxy.store.events import Hub

MAX_WAIT = 300.0


def wait_seconds(value: float | None, name: str = "wait") -> float:
    """A validated wait in seconds (0 when absent)."""
    if value is None:
        return 0.0
    if not 0 <= value <= MAX_WAIT:
        raise BadRequestError(f"{name}={value} must be between 0 and {MAX_WAIT:g} seconds")
    return value


async def wait_until(hub: Hub, holds: Callable[[], bool], seconds: float) -> bool:
    """True as soon as `holds()` is true (checked now and after every event), False on timeout."""
    if holds() or seconds <= 0:
        return holds()
    changed = asyncio.Event()
    unsubscribe = hub.subscribe(lambda _: changed.set())
    try:
        async with asyncio.timeout(seconds):
            while not holds():
                changed.clear()
                await changed.wait()
        return True
    except TimeoutError:
        return holds()
    finally:
        unsubscribe()
