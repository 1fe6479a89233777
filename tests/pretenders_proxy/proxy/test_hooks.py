"""HookCache: the same order and error handling as mitmproxy's AddonManager, faster."""

import asyncio
import logging

import pytest
from mitmproxy import exceptions, hooks
from mitmproxy.addons import core
from mitmproxy.master import Master
from mitmproxy.options import Options

from pretenders_proxy.proxy.hooks import HookCache


class Calls:
    def __init__(self, log: list[str], name: str) -> None:
        self.log, self.name = log, name

    def running(self) -> None:
        self.log.append(self.name)


class Async(Calls):
    async def running(self) -> None:  # type: ignore[override]
        await asyncio.sleep(0)
        self.log.append(self.name + " (async)")


class Parent(Calls):
    def __init__(self, log: list[str]) -> None:
        super().__init__(log, "parent")
        self.addons = [Calls(log, "child")]


class Broken:
    def running(self) -> None:
        raise RuntimeError("boom")


class Halts:
    def running(self) -> None:
        raise exceptions.AddonHalt


async def run(*addons: object) -> HookCache:
    master = Master(Options())
    manager = HookCache(master)
    manager.add(*addons)
    await manager.trigger_event(hooks.RunningHook())
    return manager


async def test_handlers_run_in_chain_order_with_sub_addons() -> None:
    log: list[str] = []
    manager = await run(Calls(log, "a"), Parent(log), Async(log, "b"), core.Core())
    assert log == ["a", "parent", "child", "b (async)"]
    assert manager.handlers("response") == []


async def test_a_failing_addon_is_logged_and_the_rest_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log: list[str] = []
    with caplog.at_level(logging.ERROR):
        await run(Broken(), Calls(log, "after"))
    assert log == ["after"]
    assert "Addon error: boom" in caplog.text


async def test_addon_halt_stops_the_chain() -> None:
    log: list[str] = []
    await run(Halts(), Calls(log, "never"))
    assert log == []


async def test_the_cache_follows_added_and_removed_addons() -> None:
    log: list[str] = []
    manager = await run(Calls(log, "a"))
    extra = Calls(log, "b")
    manager.add(extra)
    await manager.trigger_event(hooks.RunningHook())
    manager.remove(extra)
    await manager.trigger_event(hooks.RunningHook())
    assert log == ["a", "a", "b", "a"]
