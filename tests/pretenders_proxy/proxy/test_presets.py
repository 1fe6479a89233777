"""Proxied requests answered from their session's presets: a reply, or a fault instead."""

from mitmproxy.test import taddons, tflow

from pretenders_proxy.model.journal import Source
from pretenders_proxy.model.preset import Fault, Preset, Reply, Rule
from pretenders_proxy.proxy.presets import Presets
from pretenders_proxy.proxy.tags import source_of, tags
from pretenders_proxy.server.runtime import Runtime


def runtime_with(*presets: Preset) -> Runtime:
    runtime = Runtime()
    for preset in presets:
        runtime.store.add_preset(runtime.store.get("default"), preset)
    return runtime


async def test_the_matching_preset_answers_and_is_noted() -> None:
    runtime = runtime_with(Preset(Rule("GET /path"), Reply(201, body=b"made")))
    addon = Presets(runtime)
    flow, other = tflow.tflow(), tflow.tflow()
    other.request.path = "/other"
    with taddons.context(addon):
        await addon.request(flow)
        await addon.request(other)
    assert flow.response is not None and flow.response.content == b"made"
    assert source_of(flow) is Source.PRESET and tags(flow)["preset_id"] >= 1
    assert other.response is None and "source" not in tags(other)


async def test_an_empty_fault_kills_the_flow_without_a_reply() -> None:
    runtime = runtime_with(Preset(Rule(""), Reply(fault=Fault.EMPTY)))
    addon = Presets(runtime)
    flow = tflow.tflow()
    with taddons.context(addon):
        await addon.request(flow)
    assert flow.response is None and flow.error is not None
    assert tags(flow)["fault"] == "empty"


async def test_flows_already_answered_or_of_unknown_sessions_are_left_alone() -> None:
    runtime = runtime_with(Preset(Rule(""), Reply(500)))
    addon = Presets(runtime)
    answered, stranger = tflow.tflow(resp=True), tflow.tflow()
    tags(stranger)["session"] = "nobody"
    with taddons.context(addon):
        await addon.request(answered)
        await addon.request(stranger)
    assert answered.response is not None and answered.response.status_code == 200
    assert stranger.response is None
