"""Shared fixtures: one real `pretenders serve` process per test run (shared by xdist workers,
through our own pytest plugin), on free ports."""

import smtplib
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
import requests
from hypothesis import settings

from pretenders_proxy.testing.launcher import RunningServer, start
from tests.integration.mailing import Send, message
from tests.integration.redis_server import RedisServer
from tests.integration.replies import PLAIN

pytest_plugins = ["pytester"]


@pytest.fixture(scope="session", params=["memory", "redis"])
def server(request: pytest.FixtureRequest, pretenders_server: RunningServer) -> RunningServer:
    """The server most tests share (`pretenders_args` in pyproject.toml configures it); each
    test works in its own mock or session. Every test using it runs twice: against the memory
    store and against the shared Redis store (issue 18), so that the two never drift apart."""
    if request.param == "memory":
        return pretenders_server
    name = "plain_replies_server" if request.param == PLAIN else "redis_store_server"
    found: RunningServer = request.getfixturevalue(name)
    return found


@pytest.fixture(scope="session")
def plain_replies_server(
    request: pytest.FixtureRequest,
    pretenders_server: RunningServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningServer]:
    """A server like the shared one, answering mocks without canned replies."""
    folder = tmp_path_factory.mktemp("plain-replies")
    root = tmp_path_factory.getbasetemp()
    root = root.parent if hasattr(request.config, "workerinput") else root
    args = ["--cassette-dir", str(request.config.rootpath), "--cassette-dir", str(root)]
    args += [*request.config.getini("pretenders_args"), "--plain-mock-replies"]
    running = start(args, confdir=pretenders_server.confdir, log=folder / "pretenders.log")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def redis_store_server(
    request: pytest.FixtureRequest,
    pretenders_server: RunningServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningServer]:
    """A server like the shared one, on a real redis-server of this test process's own."""
    folder = tmp_path_factory.mktemp("redis-store")
    redis = RedisServer(folder / "redis").start()
    root = tmp_path_factory.getbasetemp()
    root = root.parent if hasattr(request.config, "workerinput") else root
    args = ["--cassette-dir", str(request.config.rootpath), "--cassette-dir", str(root)]
    args += [*request.config.getini("pretenders_args"), "--store", redis.url]
    running = start(args, confdir=pretenders_server.confdir, log=folder / "pretenders.log")
    try:
        yield running
    finally:
        running.stop()
        redis.stop()


@pytest.fixture(scope="session")
def confdir(pretenders_server: RunningServer) -> Path:
    """Where the CA of every server the tests start lives (the shared ones' too)."""
    assert pretenders_server.confdir is not None
    return pretenders_server.confdir


@pytest.fixture
def control(server: RunningServer) -> str:
    return server.control


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A real redis-server of this test's own (persistence on), stopped by PID afterwards."""
    server = RedisServer(tmp_path / "redis").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def session_name() -> str:
    """A fresh session name, so that tests sharing the server never see each other's state."""
    return f"t-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def session(control: str, session_name: str) -> Iterator[str]:
    """A fresh session of the shared server, deleted after the test."""
    answer = requests.post(f"{control}/api/v1/sessions", json={"name": session_name}, timeout=10)
    assert answer.status_code == 201, answer.text
    yield session_name
    requests.delete(f"{control}/api/v1/sessions/{session_name}", timeout=10)


@pytest.fixture
def send(server: RunningServer, session: str) -> Send:
    """Send a message to the capture port as the test's session (AUTH user = session name)."""

    def send_one(
        mail: EmailMessage | None = None,
        *,
        user: str | None = session,
        to: list[str] | None = None,
    ) -> dict[str, object]:
        mail = mail or message()
        with smtplib.SMTP(*server.smtp, timeout=10) as smtp:
            if user is not None:
                smtp.login(user, "any password")
            refused = smtp.send_message(mail, to_addrs=to)
        return dict(refused)

    return send_one


@pytest.fixture
def proxy(server: RunningServer, session_name: str) -> str:
    """The proxy URL with this test's session as the proxy user name."""
    return server.proxy.replace("http://", f"http://{session_name}:x@", 1)


# Property tests keep no example database: nothing is written into the checkout.
settings.register_profile("pretenders", database=None, deadline=None)
settings.load_profile("pretenders")
