"""`pretenders cassette drift` without a network: what it leaves out and how it says so, and bad
input. (Against live upstreams: tests/integration/test_drift.py.)"""

import json
from pathlib import Path

from typer.testing import CliRunner

from pretenders_proxy.cassette import writing
from pretenders_proxy.cli.app import app
from pretenders_proxy.model.stream import Conversation
from tests.pretenders_proxy.factories import exchange, request


def test_unsafe_methods_and_websockets_are_skipped_and_counted(tmp_path: Path) -> None:
    posted = exchange(request("POST", b"/orders"))
    socket = exchange(request("GET", b"/ws"), status=101)
    socket = type(socket)(socket.request, socket.response, socket.meta, Conversation(()))
    writing.write(tmp_path / "a.cassette", [posted, socket])
    done = CliRunner().invoke(app, ["cassette", "drift", str(tmp_path / "a.cassette")])
    assert done.exit_code == 0, done.output
    assert done.output == (
        "0 checked: 0 drifted, 0 unchanged, 2 skipped "
        "(WebSocket: not replayed; unsafe method: --unsafe sends it)\n"
    )
    done = CliRunner().invoke(app, ["cassette", "drift", str(tmp_path / "a.cassette"), "--json"])
    report = json.loads(done.output)
    reasons = [skipped["reason"] for skipped in report["skipped_exchanges"]]
    assert reasons == ["unsafe method: --unsafe sends it", "WebSocket: not replayed"]


def test_bad_limits_and_missing_cassettes_are_exit_status_2(tmp_path: Path) -> None:
    missing = str(tmp_path / "none.cassette")
    for flags in (["--timeout", "0"], ["--concurrency", "50"], []):
        done = CliRunner().invoke(app, ["cassette", "drift", missing, *flags])
        assert done.exit_code == 2, done.output
    assert "cannot read cassette" in done.output
