"""The `pretenders` process: startup banner, clean shutdown on signals, busy ports, token."""

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from pretenders_proxy.testing.launcher import launch, start


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signals_stop_it_cleanly_with_status_0(tmp_path: Path, sig: signal.Signals) -> None:
    server = start(confdir=tmp_path)
    assert "pretenders" in server.output[0] and "ready" in server.output[0]
    assert any(server.proxy in line for line in server.output)
    requests.get(f"{server.control}/health", timeout=10)
    assert server.process is not None
    server.process.send_signal(sig)
    assert server.process.wait(15) == 0
    server.stop()
    assert not any("Traceback" in line for line in server.output)
    server.discard_log()


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


@pytest.mark.parametrize("flag", ["--port", "--proxy-port"])
def test_a_busy_port_is_one_clear_line(tmp_path: Path, busy_port: int, flag: str) -> None:
    args = ["--port", "0", "--proxy-port", "0", "--smtp-port", "0", flag, str(busy_port)]
    done = subprocess.run(
        [sys.executable, "-m", "pretenders_proxy", "serve", "--confdir", str(tmp_path), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"pretenders: {'control API' if flag == '--port' else 'HTTP(S) proxy'}: "
        f"port {busy_port} on 127.0.0.1 is already in use (choose another port)"
    ]


def test_python_dash_m_is_the_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pretenders_proxy", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.startswith("pretenders ")


def test_a_token_guards_the_control_api_but_not_the_mocks(tmp_path: Path) -> None:
    with launch(["--token", "s3cret"], confdir=tmp_path) as server:
        control = server.control
        assert requests.get(f"{control}/api/v1/sessions", timeout=10).status_code == 401
        wrong = {"Authorization": "Bearer nope"}
        assert requests.get(f"{control}/http", headers=wrong, timeout=10).status_code == 401
        good = {"Authorization": "Bearer s3cret"}
        mock = requests.post(f"{control}/http", json={}, headers=good, timeout=10).json()["id"]
        requests.post(
            f"{control}/preset/{mock}",
            json={"rule": "GET /", "text": "open"},
            headers=good,
            timeout=10,
        )
        assert requests.get(f"{control}/mockhttp/{mock}/", timeout=10).text == "open"
        proxies = {"http": server.proxy}
        assert requests.get("http://x.test/", proxies=proxies, timeout=10).status_code == 404
