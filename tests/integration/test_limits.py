"""Size limits: bodies over --max-body-size get 413 and request heads over the limits get 431,
on the control port, the mocks and the proxy, which all keep answering afterwards."""

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from pretenders_proxy.proxy.limits import MAX_HEAD
from pretenders_proxy.testing.launcher import RunningServer, launch

LIMIT = 1024 * 1024
OVER = b"x" * (LIMIT + 1)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    folder: Path = tmp_path_factory.mktemp("limits")
    with launch(["--max-body-size", "1m"], confdir=folder) as server:
        yield server


def _raw(address: str, data: bytes) -> bytes:
    """What the server answers to `data` sent as is, up to the connection's end."""
    host, port = address.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        with contextlib.suppress(OSError):  # the server may stop reading once it has said no
            connection.sendall(data)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def test_bodies_over_the_limit_get_413_everywhere(small: RunningServer) -> None:
    mock = requests.post(small.control + "/http", json={}, timeout=10).json()["id"]
    control = requests.post(small.control + "/api/v1/presets", data=OVER, timeout=30)
    mocked = requests.post(f"{small.control}/mockhttp/{mock}/upload", data=OVER, timeout=30)
    proxied = requests.post("http://x.test/", data=OVER, proxies={"http": small.proxy}, timeout=30)
    assert [control.status_code, mocked.status_code, proxied.status_code] == [413, 413, 413]
    assert "body exceeds" in proxied.text
    fits = requests.post("http://x.test/", data=b"x" * LIMIT, proxies={"http": small.proxy})
    assert fits.status_code == 404 and fits.headers["X-Pretenders-Miss"] == "1"


@pytest.mark.parametrize(
    "head",
    [
        b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 10_000 + b"\r\n\r\n",
        b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"X-N: a\r\n" * 200 + b"\r\n",
    ],
    ids=["long header", "too many headers"],
)
def test_oversized_heads_on_the_control_port_get_431(small: RunningServer, head: bytes) -> None:
    assert _raw(small.control, head).startswith(b"HTTP/1.0 431 ")
    assert requests.get(small.control + "/health", timeout=10).ok


@pytest.mark.parametrize("complete", [True, False], ids=["complete", "never ending"])
def test_oversized_heads_on_the_proxy_get_431(small: RunningServer, complete: bool) -> None:
    head = b"GET http://x.test/ HTTP/1.1\r\nHost: x.test\r\nX-Big: " + b"a" * (2 * MAX_HEAD)
    answer = _raw(small.proxy, head + (b"\r\n\r\n" if complete else b""))
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert b"over 65536 bytes" in answer
    fine = requests.get(
        "http://x.test/", headers={"X-Ok": "a" * 8000}, proxies={"http": small.proxy}
    )
    assert fine.status_code == 404 and fine.headers["X-Pretenders-Miss"] == "1"
