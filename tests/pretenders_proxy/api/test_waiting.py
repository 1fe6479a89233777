"""Long-polls wake on events (never polling) and validate how long they may wait."""

import asyncio

import pytest

from pretenders_proxy.api.waiting import CHECK_CLIENT, MAX_WAIT, wait_seconds, wait_until
from pretenders_proxy.server.tasks import spawn
from pretenders_proxy.store.events import Hub


@pytest.mark.parametrize(
    ("given", "seconds"), [(None, 0.0), (0, 0), (2.5, 2.5), (MAX_WAIT, MAX_WAIT)]
)
def test_wait_seconds(given: float | None, seconds: float) -> None:
    assert wait_seconds(given) == seconds


@pytest.mark.parametrize("given", [-1, 300.5])
def test_a_wait_out_of_range_is_refused_naming_the_parameter(given: float) -> None:
    with pytest.raises(ValueError, match=f"count={given} must be between 0 and 300 seconds"):
        wait_seconds(given, "count")


async def test_without_a_wait_the_condition_is_checked_once() -> None:
    hub = Hub()
    assert await wait_until(hub, lambda: True, 0) is True
    assert await wait_until(hub, lambda: False, 0) is False
    assert len(hub) == 0


async def test_an_event_that_makes_the_condition_hold_ends_the_wait() -> None:
    hub, arrived = Hub(), []
    waiting = spawn(wait_until(hub, lambda: len(arrived) >= 2, 60), name="t.wait")
    for item in ("one", "two"):
        await asyncio.sleep(0)
        arrived.append(item)
        hub.publish(item)
    assert await waiting is True
    assert len(hub) == 0  # it stopped listening


async def test_a_wait_whose_client_went_away_ends_and_stops_listening() -> None:
    hub, gone = Hub(), []
    waiting = spawn(wait_until(hub, lambda: False, 60, lambda: bool(gone)), name="t.wait")
    await asyncio.sleep(0)
    assert len(hub) == 1
    gone.append(True)
    async with asyncio.timeout(2 * CHECK_CLIENT + 1):
        assert await waiting is False
    assert len(hub) == 0


async def test_a_wait_ends_at_its_timeout() -> None:
    assert await wait_until(Hub(), lambda: False, 0.05) is False
