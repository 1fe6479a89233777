import asyncio
import logging

import pytest

from pretenders_proxy.server import tasks


async def test_a_spawned_task_is_kept_until_it_finishes() -> None:
    release = asyncio.Event()
    task = tasks.spawn(release.wait(), name="t.wait")
    assert task in tasks._running and task.get_name() == "t.wait"
    release.set()
    assert await task is True
    await asyncio.sleep(0)  # the done callback runs next
    assert task not in tasks._running


async def test_a_crash_is_logged_with_the_task_name(caplog: pytest.LogCaptureFixture) -> None:
    async def crash() -> None:
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR):
        task = tasks.spawn(crash(), name="t.crash")
        with pytest.raises(RuntimeError):
            await task
        await asyncio.sleep(0)
    assert "task t.crash failed: RuntimeError('boom')" in caplog.text
