from pathlib import Path

import pytest
from mitmproxy.test import taddons, tflow

from pretenders_proxy.cassette import writing
from pretenders_proxy.matching.modes import Mode, ModeConfig, OnMiss
from pretenders_proxy.proxy.misses import MissReply
from pretenders_proxy.proxy.tags import tags
from pretenders_proxy.server.runtime import Runtime


def _decide(runtime: Runtime, session: str = "default") -> tuple[int | None, dict[str, object]]:
    addon = MissReply(runtime)
    flow = tflow.tflow()
    tags(flow)["session"] = session
    with taddons.context(addon):
        addon.request(flow)
    return (flow.response.status_code if flow.response else None), tags(flow)


def _switch(runtime: Runtime, config: ModeConfig) -> None:
    store = runtime.store
    runtime.cassettes.switch(store, store.get("default"), config)


def test_mock_mode_answers_with_the_miss_reply() -> None:
    status, noted = _decide(Runtime())
    assert status == 404
    assert noted["source"] == "miss"
    assert "There are no presets in this session." in str(noted["miss"])


def test_a_gone_session_gets_the_miss_reply() -> None:
    status, noted = _decide(Runtime(), "expired")
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
def test_other_modes(tmp_path: Path, config: ModeConfig, status: int | None, record: bool) -> None:
    path = tmp_path / "c.cassette"
    writing.write(path, [])
    runtime = Runtime()
    _switch(runtime, ModeConfig(config.mode, (str(path),), config.on_miss))
    got, noted = _decide(runtime)
    assert got == status
    assert noted.get("record") == (str(path) if record else None)
    runtime.cassettes.close()


def test_a_failure_while_deciding_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = Runtime()

    def broken(name: str) -> None:
        raise RuntimeError("store on fire")

    monkeypatch.setattr(runtime.store, "find", broken)
    status, noted = _decide(runtime)
    assert status == 500 and "store on fire" in str(noted["miss"])
