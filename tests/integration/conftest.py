"""Fixtures of the integration tests: smtplib senders each in its own session; local upstreams
(plain and TLS, with a test CA), cassette paths, and the environment `pretenders env` gives an
app for record/replay through real pretenders processes."""

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pretenders_proxy.cli.app import app
from pretenders_proxy.client.aio import AsyncPretenders
from pretenders_proxy.client.mail import Mailbox
from pretenders_proxy.testing.launcher import RunningServer
from tests.integration import v1_clients
from tests.integration.streaming import StreamingUpstream
from tests.integration.tlsca import LocalCA, make_ca
from tests.integration.upstream import Upstream


@pytest.fixture
def mail_session(session: str) -> str:
    """A fresh session that mail reaches by authenticating as its name on the capture port."""
    return session


@pytest.fixture
def mailbox(control: str, mail_session: str) -> Mailbox:
    return Mailbox(control, session=mail_session)


@pytest.fixture(scope="session")
def local_ca(tmp_path_factory: pytest.TempPathFactory) -> LocalCA:
    return make_ca(tmp_path_factory.mktemp("test-ca"))


@pytest.fixture(autouse=True)
def _clients_closed() -> Iterator[None]:
    yield
    v1_clients.close_all()


@pytest.fixture
async def async_fake(server: RunningServer) -> AsyncIterator[AsyncPretenders]:
    """An AsyncPretenders of a fresh session, deleted after the test."""
    async with AsyncPretenders(server.control) as root:
        session = await root.session()
    async with session:
        yield session
        await session.delete()


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    running = Upstream()
    yield running
    running.stop()


@pytest.fixture
def tls_upstream(local_ca: LocalCA) -> Iterator[Upstream]:
    running = Upstream(local_ca)
    yield running
    running.stop()


@pytest.fixture
def streaming_upstream() -> Iterator[StreamingUpstream]:
    running = StreamingUpstream()
    yield running
    running.stop()


@pytest.fixture
def tls_streaming_upstream(local_ca: LocalCA) -> Iterator[StreamingUpstream]:
    running = StreamingUpstream(local_ca)
    yield running
    running.stop()


@pytest.fixture
def cassette(tmp_path: Path) -> Path:
    return tmp_path / "test.cassette"


def app_environment(
    server: RunningServer, confdir: Path, session: str | None = None
) -> dict[str, str]:
    """What `pretenders env --shell dotenv` says an app should run with, parsed."""
    args = ["env", "--shell", "dotenv", "--confdir", str(confdir)]
    args += ["--port", str(server.port), "--proxy-port", server.proxy.rsplit(":", 1)[1]]
    if session:
        args += ["--session", session]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    found = {}
    for line in result.output.splitlines():
        name, _, value = line.partition("=")
        found[name] = value.strip('"')
    return found


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch, confdir: Path) -> "AppEnv":
    return AppEnv(monkeypatch, confdir)


class AppEnv:
    """Puts this process (requests, httpx) in the environment an app gets from `pretenders env`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, confdir: Path) -> None:
        self.monkeypatch = monkeypatch
        self.confdir = confdir
        self.variables: dict[str, str] = {}

    def use(self, server: RunningServer, session: str | None = None) -> dict[str, str]:
        """Set the variables for `server`; returns the whole environment for subprocesses."""
        for name in list(self.variables):
            self.monkeypatch.delenv(name, raising=False)
        self.variables = app_environment(server, self.confdir, session)
        for name, value in self.variables.items():
            self.monkeypatch.setenv(name, value)
        return dict(os.environ)


def run_pretenders(*args: str, timeout: float = 60) -> "subprocess.CompletedProcess[str]":
    """`pretenders ARGS` as a user runs it (on free ports), for commands expected to exit."""
    command = [sys.executable, "-m", "pretenders_proxy", *args]
    if args and args[0] in ("serve", "record", "replay"):
        command[4:4] = ["--port", "0", "--proxy-port", "0", "--smtp-port", "0"]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)
