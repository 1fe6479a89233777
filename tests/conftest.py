"""Shared fixtures: one real `pretenders serve` process per test run (shared by xdist workers,
through our own pytest plugin), on free ports."""

import uuid
from pathlib import Path

import pytest
from hypothesis import settings

from pretenders_proxy.launcher import RunningServer

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
def proxy(server: RunningServer, session_name: str) -> str:
    """The proxy URL with this test's session as the proxy user name."""
    return server.proxy.replace("http://", f"http://{session_name}:x@", 1)


# Property tests keep no example database: nothing is written into the checkout.
settings.register_profile("pretenders", database=None, deadline=None)
settings.load_profile("pretenders")
