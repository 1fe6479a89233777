from pathlib import Path

import pytest
from mitmproxy.addons.proxyserver import Proxyserver
from mitmproxy.test import taddons, tflow

from pretenders_proxy.cassette import writing
from pretenders_proxy.matching.modes import Mode, ModeConfig
from pretenders_proxy.proxy.convert import exchange_from_flow
from pretenders_proxy.proxy.replayer import Replayer
from pretenders_proxy.proxy.tags import tags
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.store.tape import Tape


@pytest.fixture
def runtime(tmp_path: Path) -> Runtime:
    recorded = tflow.tflow(resp=True)
    recorded.response.content = b"from the cassette"  # type: ignore[union-attr]
    path = tmp_path / "r.cassette"
    writing.write(path, [exchange_from_flow(recorded)])
    runtime = Runtime()
    store = runtime.store
    runtime.cassettes.switch(store, store.get("default"), ModeConfig(Mode.REPLAY, (str(path),)))
    return runtime


def test_a_recorded_request_is_answered_from_the_cassette(runtime: Runtime) -> None:
    replayer = Replayer(runtime)
    flow = tflow.tflow()
    with taddons.context(replayer):
        replayer.request(flow)
    assert flow.response is not None and flow.response.content == b"from the cassette"
    assert tags(flow)["source"] == "cassette"
    assert tags(flow)["cassette"].endswith("r.cassette #1")


def test_an_unknown_request_is_left_for_the_miss_reply(runtime: Runtime) -> None:
    replayer = Replayer(runtime)
    flow = tflow.tflow()
    flow.request.path = "/other"
    with taddons.context(replayer):
        replayer.request(flow)
    assert flow.response is None


def test_a_failure_while_replaying_fails_closed(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(tape: Tape, request: object) -> None:
        raise RuntimeError("index on fire")

    monkeypatch.setattr(Tape, "play", broken)
    replayer = Replayer(runtime)
    flow = tflow.tflow()
    with taddons.context(replayer):
        replayer.request(flow)
    assert flow.response is not None and flow.response.status_code == 500
    assert b"index on fire" in flow.response.content


def test_mitmproxy_is_kept_from_connecting_early(runtime: Runtime) -> None:
    replayer = Replayer(runtime)
    with taddons.context(Proxyserver(), replayer) as tctx:
        tctx.configure(replayer, connection_strategy="eager", upstream_cert=True)
        assert (tctx.options.connection_strategy, tctx.options.upstream_cert) == ("lazy", False)
