"""Shared fixtures: one real `pretenders serve` process per test run, on free ports."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pretenders_proxy.launcher import RunningServer, launch


@pytest.fixture(scope="session")
def confdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("confdir")


@pytest.fixture(scope="session")
def server(confdir: Path) -> Iterator[RunningServer]:
    """The server most tests share; each test works in its own mock or session."""
    with launch(["--stale-period", "0.2"], confdir=confdir) as running:
        yield running


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
