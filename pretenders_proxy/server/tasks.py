"""Background tasks that stay referenced until they finish (bare create_task is banned)."""

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

logger = logging.getLogger(__name__)
_running: set[asyncio.Task[Any]] = set()


def spawn[T](coro: Coroutine[Any, Any, T], *, name: str) -> asyncio.Task[T]:
    """Run `coro` as a task, keep a reference while it runs and log a crash."""
    task = asyncio.create_task(coro, name=name)  # noqa: TID251 - the one sanctioned call
    _running.add(task)
    task.add_done_callback(_finished)
    return task


def _finished(task: asyncio.Task[Any]) -> None:
    _running.discard(task)
    if not task.cancelled() and (error := task.exception()) is not None:
        logger.error("task %s failed: %r", task.get_name(), error, exc_info=error)
