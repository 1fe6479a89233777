"""Responder: the decision carried out on a flow (presets, cassettes, the mode on a miss)."""

import time
from pathlib import Path

import pytest
from mitmproxy.addons.proxyserver import Proxyserver
from mitmproxy.http import HTTPFlow
from mitmproxy.test import taddons, tflow

from pretenders_proxy.cassette import writing
from pretenders_proxy.errors import StoreUnavailableError
from pretenders_proxy.matching.modes import Mode, ModeConfig, OnMiss
from pretenders_proxy.model.preset import Fault, Preset, Reply, Rule
from pretenders_proxy.proxy.connections import ConnectionLimits
from pretenders_proxy.proxy.convert import exchange_from_flow, request_of
from pretenders_proxy.proxy.lane import Decision, ProxyLane
from pretenders_proxy.proxy.responder import Responder
from pretenders_proxy.proxy.session_ports import SessionPorts
from pretenders_proxy.proxy.tags import Tags, tags
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.store import answering
from pretenders_proxy.store.answering import Via
from pretenders_proxy.store.tape import Tape


async def _respond(
    runtime: Runtime, session: str = "default", path: str = "/path"
) -> tuple[int | None, Tags]:
    """The status the flow was answered with (None: none yet), and its tags."""
    flow = await _flow(runtime, session, path)
    return (flow.response.status_code if flow.response else None), tags(flow)


async def _flow(runtime: Runtime, session: str = "default", path: str = "/path") -> HTTPFlow:
    addon = Responder(runtime)
    flow = tflow.tflow()
    flow.request.path = path
    tags(flow)["session"] = session
    with taddons.context(addon):
        await addon.request(flow)
    return flow


def _switch(runtime: Runtime, config: ModeConfig) -> None:
    store = runtime.store
    runtime.cassettes.switch(store, store.get("default"), config)


@pytest.fixture
def replaying(tmp_path: Path) -> Runtime:
    recorded = tflow.tflow(resp=True)
    recorded.response.content = b"from the cassette"  # type: ignore[union-attr]
    path = tmp_path / "r.cassette"
    writing.write(path, [exchange_from_flow(recorded)])
    runtime = Runtime()
    _switch(runtime, ModeConfig(Mode.REPLAY, (str(path),)))
    return runtime


async def test_a_preset_answers_after_its_delay() -> None:
    runtime = Runtime()
    store = runtime.store
    preset = store.add_preset(store.get("default"), Preset(Rule("GET"), Reply(201, after=0.05)))
    started = time.monotonic()
    status, noted = await _respond(runtime)
    assert time.monotonic() - started >= 0.05
    assert status == 201
    assert noted == {"session": "default", "source": "preset", "preset_id": preset.id}


@pytest.mark.parametrize("fault", list(Fault))
async def test_a_fault_preset_kills_the_flow(fault: Fault) -> None:
    runtime = Runtime()
    store = runtime.store
    preset = store.add_preset(store.get("default"), Preset(Rule("GET"), Reply(fault=fault)))
    flow = await _flow(runtime)
    assert (
        flow.response is None and flow.error is not None and flow.error.msg == "Connection killed."
    )
    noted = tags(flow)
    assert noted["source"] == "preset" and noted["preset_id"] == preset.id
    assert noted["fault"] == str(fault)


async def test_a_recorded_request_is_answered_from_the_cassette(replaying: Runtime) -> None:
    addon = Responder(replaying)
    flow = tflow.tflow()
    with taddons.context(addon):
        await addon.request(flow)
    assert flow.response is not None and flow.response.content == b"from the cassette"
    assert tags(flow)["source"] == "cassette"
    assert tags(flow)["cassette"].endswith("r.cassette #1")


async def test_an_unknown_request_in_replay_gets_the_miss_reply(replaying: Runtime) -> None:
    status, noted = await _respond(replaying, path="/other")
    assert noted["source"] == "miss" and status == 404
    assert noted["miss"].startswith("No recording matched GET http://address:22/other.")


async def test_a_failure_while_replaying_fails_closed(
    replaying: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(tape: Tape, request: object) -> None:
        raise RuntimeError("index on fire")

    monkeypatch.setattr(Tape, "play", broken)
    addon = Responder(replaying)
    flow = tflow.tflow()
    with taddons.context(addon):
        await addon.request(flow)
    assert flow.response is not None and flow.response.status_code == 500
    assert b"index on fire" in flow.response.content


def test_mitmproxy_is_kept_from_connecting_early(replaying: Runtime) -> None:
    addon = Responder(replaying)
    with taddons.context(Proxyserver(), addon) as tctx:
        tctx.configure(addon, connection_strategy="eager", upstream_cert=True)
        assert (tctx.options.connection_strategy, tctx.options.upstream_cert) == ("lazy", False)


async def test_mock_mode_answers_with_the_miss_reply() -> None:
    status, noted = await _respond(Runtime())
    assert status == 404
    assert noted["source"] == "miss"
    assert "There are no presets in this session." in str(noted["miss"])


async def test_a_gone_session_gets_the_miss_reply() -> None:
    status, noted = await _respond(Runtime(), "expired")
    assert status == 404 and "its session is gone" in str(noted["miss"])


@pytest.mark.parametrize(
    ("config", "status", "record"),
    [
        (ModeConfig(Mode.RECORD, ("{path}",)), None, True),
        (ModeConfig(Mode.REPLAY, ("{path}",), OnMiss.RECORD), None, True),
        (ModeConfig(Mode.REPLAY, ("{path}",), OnMiss.PASSTHROUGH), None, False),
        (ModeConfig(Mode.REPLAY, ("{path}",), OnMiss.ERROR), 404, False),
    ],
)
async def test_other_modes(
    tmp_path: Path, config: ModeConfig, status: int | None, record: bool
) -> None:
    path = tmp_path / "c.cassette"
    writing.write(path, [])
    runtime = Runtime()
    _switch(runtime, ModeConfig(config.mode, (str(path),), config.on_miss))
    got, noted = await _respond(runtime)
    assert got == status
    assert noted.get("record") == (str(path) if record else None)
    runtime.cassettes.close()


async def test_a_failure_while_deciding_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = Runtime()

    def broken(name: str) -> None:
        raise RuntimeError("store on fire")

    monkeypatch.setattr(runtime.store, "find", broken)
    status, noted = await _respond(runtime)
    assert status == 500 and "store on fire" in str(noted["miss"])


async def test_settled_flows_are_left_alone() -> None:
    addon = Responder(Runtime())
    answered, control = tflow.tflow(resp=True), tflow.tflow()
    tags(control)["control"] = True
    with taddons.context(addon):
        for flow in (answered, control):
            await addon.request(flow)
    assert tags(answered) == {} and control.response is None


async def test_a_decision_the_fast_lane_handed_over_is_carried_out_not_made_again() -> None:
    runtime = Runtime()
    store = runtime.store
    default = store.get("default")
    store.add_preset(default, Preset(Rule("GET"), Reply(201), times=1))
    lane = ProxyLane(runtime, SessionPorts(runtime), ConnectionLimits())
    flow = tflow.tflow()
    outcome = answering.answer(default, request_of(flow), Via.PROXY, 404)  # the lane's, once
    lane.decided[flow.client_conn.peername] = (None, Decision(outcome, 1.0))  # type: ignore[assignment]
    addon = Responder(runtime, lane)
    with taddons.context(addon):
        await addon.request(flow)
    assert flow.response is not None and flow.response.status_code == 201
    assert not lane.decided


async def test_a_failure_deciding_on_the_fast_lane_is_answered_as_the_responder_answers_it() -> (
    None
):
    runtime = Runtime()
    lane = ProxyLane(runtime, SessionPorts(runtime), ConnectionLimits())
    flow = tflow.tflow()
    failed = Decision(None, error=StoreUnavailableError("down"))
    lane.decided[flow.client_conn.peername] = (None, failed)  # type: ignore[assignment]
    addon = Responder(runtime, lane)
    with taddons.context(addon):
        await addon.request(flow)
    assert flow.response is not None and flow.response.status_code == 503
