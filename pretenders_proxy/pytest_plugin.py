"""The pytest plugin: a pretenders server for the test run, a fresh session per test.

    def test_checkout(pretenders):            # HTTP_PROXY etc. point at this test's session
        pretenders.when("POST /charge").reply({"ok": True})
        run_app()                               # even as a subprocess, in any language
        pretenders.assert_requested("POST /charge", times=1)

Under pytest-xdist the workers share one server; sessions keep their tests apart.
A test that leaves misses (requests nothing answered) fails, unless configured otherwise.
"""

import fcntl
import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pretenders_proxy.client.v1 import Pretenders
from pretenders_proxy.launcher import RunningServer, start

FIXTURE = "pretenders"
_STARTED: list[subprocess.Popen[bytes]] = []
"""Servers this worker started and another worker still uses (kept so they are not reaped)."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pretenders", "pretenders: fake HTTP(S)/SMTP services for tests")
    group.addoption(
        "--pretenders-url",
        default=None,
        help="Use the pretenders server at this control URL instead of starting one.",
    )
    group.addoption(
        "--pretenders-allow-misses",
        action="store_true",
        default=None,
        help="Do not fail tests that leave requests nothing answered.",
    )
    parser.addini(
        "pretenders_args",
        type="args",
        default=[],
        help="Extra `pretenders serve` arguments for the server the plugin starts.",
    )
    parser.addini(
        "pretenders_fail_on_misses",
        type="bool",
        default=True,
        help="Fail a test that leaves misses (default: true).",
    )


@pytest.fixture(scope="session")
def pretenders_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """The pretenders server of this test run (shared by xdist workers)."""
    url = request.config.getoption("--pretenders-url")
    if url:
        with Pretenders(url) as client:
            yield RunningServer(0, url.rstrip("/"), client.listeners, Path(os.devnull), None)
        return
    shared = hasattr(request.config, "workerinput")
    root = tmp_path_factory.getbasetemp()
    root = root.parent if shared else root
    with shared_server(root, request.config.getini("pretenders_args")) as server:
        yield server


@pytest.fixture
def pretenders(
    pretenders_server: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Pretenders]:
    """A client bound to a fresh session; the proxy variables of this test point at it."""
    with Pretenders(pretenders_server.control) as root:
        session = root.session(f"test-{uuid.uuid4().hex[:12]}")
    for name, value in proxy_environment(session, pretenders_server).items():
        monkeypatch.setenv(name, value)
    try:
        yield session
    finally:
        session.delete()
        session.close()


def proxy_environment(session: Pretenders, server: RunningServer) -> dict[str, str]:
    """The variables that send an app's HTTP(S) through `session` and trust the pretenders CA."""
    proxy = session.proxy_url
    control = server.control.split("//", 1)[1]
    env = {name: proxy for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")}
    env["NO_PROXY"] = env["no_proxy"] = control
    env["PRETENDERS_URL"] = server.control
    env["PRETENDERS_SESSION"] = session.name
    return env


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After the test body, a test using `pretenders` fails if it left misses."""
    result = yield
    client = getattr(item, "funcargs", {}).get(FIXTURE)
    if isinstance(client, Pretenders) and _fail_on_misses(item.config):
        client.assert_no_misses()
    return result


def _fail_on_misses(config: pytest.Config) -> bool:
    if config.getoption("--pretenders-allow-misses"):
        return False
    return bool(config.getini("pretenders_fail_on_misses"))


@contextmanager
def shared_server(root: Path, args: list[str]) -> Iterator[RunningServer]:
    """One server for every process using `root`: the first starts it, the last stops it."""
    state = root / "pretenders-server.json"
    with _locked(root / "pretenders-server.lock"):
        known = json.loads(state.read_text()) if state.exists() else None
        if known is not None and _alive(known["server"]["pid"]):
            server, users = RunningServer.from_dict(known["server"]), known["users"]
        else:
            confdir = root / "pretenders-confdir"
            server = start(args, confdir=confdir, log=root / "pretenders-server.log")
            users = 0
        state.write_text(json.dumps({"server": server.as_dict(), "users": users + 1}))
    try:
        yield server
    finally:
        with _locked(root / "pretenders-server.lock"):
            users = json.loads(state.read_text())["users"] - 1
            if users == 0:
                server.stop()
                state.unlink()
            else:
                state.write_text(json.dumps({"server": server.as_dict(), "users": users}))
                if server.process is not None:
                    _STARTED.append(server.process)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True
