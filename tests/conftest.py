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

from pretenders_proxy.testing.launcher import RunningServer
from tests.integration.mailing import Send, message

pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def server(pretenders_server: RunningServer) -> RunningServer:
    """The server most tests share (`pretenders_args` in pyproject.toml configures it);
    each test works in its own mock or session."""
    return pretenders_server


@pytest.fixture(scope="session")
def confdir(server: RunningServer) -> Path:
    assert server.confdir is not None
    return server.confdir


@pytest.fixture
def control(server: RunningServer) -> str:
    return server.control


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
