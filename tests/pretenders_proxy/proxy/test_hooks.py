"""HookCache: the same order and error handling as mitmproxy's AddonManager, faster."""

import asyncio
import logging

import pytest
from mitmproxy import exceptions, hooks
from mitmproxy.addons import core
from mitmproxy.master import Master
from mitmproxy.options import Options
from mitmproxy.proxy.layers import http as http_layer
from mitmproxy.test import tflow

from pretenders_proxy.proxy.hooks import HookCache, args_of


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


class Updates:
    def __init__(self) -> None:
        self.seen: list[object] = []

    def request(self, flow: object) -> None:
        self.seen.append(("request", flow))

    def update(self, flows: list[object]) -> None:
        self.seen.append(("update", flows))


async def test_a_flow_event_is_followed_by_update_for_addons_that_have_it() -> None:
    master = Master(Options())
    manager = HookCache(master)
    listener = Updates()
    manager.add(listener)
    flow = tflow.tflow()
    await manager.handle_lifecycle(http_layer.HttpRequestHook(flow))
    assert listener.seen == [("request", flow), ("update", [flow])]


async def test_without_an_update_hook_the_flow_event_alone_runs() -> None:
    class Requests(Updates):
        update = None  # type: ignore[assignment]

    manager = HookCache(Master(Options()))
    listener = Requests()
    manager.add(listener)
    flow = tflow.tflow()
    await manager.handle_lifecycle(http_layer.HttpRequestHook(flow))
    assert listener.seen == [("request", flow)]
    assert manager.handlers("update") == []


def test_args_of_reads_what_mitmproxy_reads() -> None:
    flow = tflow.tflow()
    for event in (
        http_layer.HttpRequestHook(flow),
        http_layer.HttpResponseHook(flow),
        hooks.ConfigureHook({"a", "b"}),
        hooks.UpdateHook([flow]),
        hooks.RunningHook(),
    ):
        assert args_of(event) == event.args()
        assert args_of(event) == event.args()  # the cached names too
