"""The pytest plugin: a pretenders server for the test run, a fresh session per test.

    def test_checkout(pretenders):            # HTTP(S)_PROXY and CA variables point at it
        pretenders.when("POST /charge").reply({"ok": True})
        run_app()                               # even as a subprocess, in any language
        pretenders.assert_requested("POST /charge", times=1)

    @pytest.mark.cassette                       # cassettes/<module>/<test>.cassette
    def test_with_the_real_api(pretenders): ...

    async def test_an_async_app(pretenders):    # pretenders.aio: the session, awaited, so the
        await pretenders.aio.wait_for_requests(1)   # app's loop runs on; any loop scope

Under pytest-xdist the workers share one server; sessions keep their tests apart. A test that
leaves misses (requests nothing answered) fails, unless configured otherwise.
"""

import fcntl
import json
import os
import re
import subprocess
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pretenders_proxy.certs import CA_CERT, client_bundle, write_bundle
from pretenders_proxy.client.v1 import Pretenders
from pretenders_proxy.environment.files import client_files
from pretenders_proxy.environment.variables import no_proxy, variables
from pretenders_proxy.errors import APIError, ConfigError
from pretenders_proxy.matching.modes import OnStale, RecordMode
from pretenders_proxy.store.staleness import parse_max_age
from pretenders_proxy.testing.launcher import RunningServer, start

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
        "--record-mode",
        choices=[str(mode) for mode in RecordMode],
        default=None,
        help="What @pytest.mark.cassette tests do, as in VCR.py (default: once).",
    )
    group.addoption(
        "--pretenders-max-age",
        default=None,
        metavar="DURATION",
        help="@pytest.mark.cassette tests: a recording older than this (90s, 15m, 12h, 30d, "
        "2w) is stale when replayed (default: any age is fine).",
    )
    group.addoption(
        "--pretenders-on-stale",
        choices=[str(choice) for choice in OnStale],
        default=None,
        help="What replaying a stale recording does: warn (played, noted in history), fail "
        "(a miss) or record (again, from the upstream; not with --record-mode none).",
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
        "pretenders_record_mode",
        default=str(RecordMode.ONCE),
        help="Record mode when --record-mode is not given.",
    )
    parser.addini(
        "pretenders_fail_on_misses",
        type="bool",
        default=True,
        help="Fail a test that leaves misses (default: true).",
    )


def pytest_configure(config: pytest.Config) -> None:
    if (max_age := config.getoption("--pretenders-max-age", None)) is not None:
        try:
            parse_max_age(max_age)
        except ConfigError as e:
            raise pytest.UsageError(f"--pretenders-{e}") from None
    config.addinivalue_line(
        "markers",
        "cassette(path=None, *, record_mode=None, match_on=None, repeat=None, replay_speed=None, "
        "ignore=None, max_age=None, on_stale=None): record or replay the test's traffic "
        "(default path: cassettes/<module>/<test>.cassette beside the test)",
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
    # The API may reach cassettes beside the tests and under pytest's temporary directories.
    folders = ["--cassette-dir", str(request.config.rootpath), "--cassette-dir", str(root)]
    with shared_server(root, [*folders, *request.config.getini("pretenders_args")]) as server:
        yield server


@pytest.fixture(scope="session")
def pretenders_ca_bundle(
    pretenders_server: RunningServer, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """System roots plus the server's CA: what the app under test should trust."""
    if pretenders_server.confdir is not None:
        return client_bundle(pretenders_server.confdir)
    folder = tmp_path_factory.mktemp("pretenders-ca")
    with urllib.request.urlopen(pretenders_server.control + "/ca.pem", timeout=30) as answer:
        (folder / CA_CERT).write_bytes(answer.read())
    return write_bundle(folder / "ca-bundle.pem", [folder / CA_CERT], "the pretenders CA")


@pytest.fixture
def pretenders(
    request: pytest.FixtureRequest,
    pretenders_server: RunningServer,
    pretenders_ca_bundle: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Pretenders]:
    """A client bound to a fresh session; the proxy and CA variables point at it for the test
    and its subprocesses; `@pytest.mark.cassette` records or replays through it. Its `.aio`
    is the same session for asyncio tests (an AsyncPretenders that keeps no connection open,
    so it works in whatever event loop the test runs and needs no closing)."""
    with Pretenders(pretenders_server.control) as root:
        session = root.session(f"test-{uuid.uuid4().hex[:12]}")
    try:
        for name, value in proxy_environment(session, pretenders_ca_bundle).items():
            monkeypatch.setenv(name, value)
        if (marker := request.node.get_closest_marker("cassette")) is not None:
            _use_cassette(request, marker, session)
        yield session
    finally:
        session.delete()
        session.close()


def proxy_environment(session: Pretenders, bundle: Path) -> dict[str, str]:
    """What sends an app's HTTP(S) through `session` and makes it trust the pretenders CA."""
    host, port = session.url.split("//", 1)[1].rsplit(":", 1)
    files = client_files(bundle.parent)  # beside the bundle: Java's truststore, Node's preload
    # the session's own port: Java, which sends no proxy credentials, lands in it too
    proxy = session.own_proxy()
    env = dict(variables(proxy, no_proxy(host, int(port)), files, dict(os.environ)))
    env["PRETENDERS_URL"] = session.url
    env["PRETENDERS_SESSION"] = session.name
    return env


def cassette_path(request: pytest.FixtureRequest, given: object) -> Path:
    """The marker's path (relative ones under cassettes/ beside the test file), or the default
    cassettes/<module>/<test name>.cassette."""
    folder = request.path.parent / "cassettes"
    if given:
        path = Path(str(given))
        return path if path.is_absolute() else folder / path
    test = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
    return folder / request.path.stem / f"{test}.cassette"


def _use_cassette(request: pytest.FixtureRequest, marker: pytest.Mark, session: Pretenders) -> None:
    config = request.config
    record_mode = (
        marker.kwargs.get("record_mode")
        or config.getoption("--record-mode")
        or config.getini("pretenders_record_mode")
    )
    path = cassette_path(request, marker.args[0] if marker.args else marker.kwargs.get("path"))
    try:
        session.use_cassette(
            path,
            record_mode,
            match_on=marker.kwargs.get("match_on"),
            repeat=marker.kwargs.get("repeat"),
            replay_speed=marker.kwargs.get("replay_speed"),
            ignore=marker.kwargs.get("ignore"),
            max_age=marker.kwargs.get("max_age") or config.getoption("--pretenders-max-age"),
            on_stale=marker.kwargs.get("on_stale") or config.getoption("--pretenders-on-stale"),
        )
    except APIError as e:
        if e.status != 400:
            raise
        # the server refused the cassette: with record mode none, most likely as it is not there
        none = str(record_mode).strip().lower() == RecordMode.NONE
        hint = " (record it with --record-mode=once)" if none else ""
        pytest.fail(f"{e.message}{hint}", pytrace=False)


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
