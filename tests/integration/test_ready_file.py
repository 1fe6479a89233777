"""`--ready-file PATH`: once everything listens, the server writes JSON there (pid, every
listener's address, CA path, version); tools read that, not the banner."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from pretenders_proxy import __version__
from pretenders_proxy.server import ready
from pretenders_proxy.server.exhaustion import ExhaustionLog
from pretenders_proxy.server.process import Server
from pretenders_proxy.server.tasks import spawn
from pretenders_proxy.settings import Settings


def serve(*args: str) -> list[str]:
    return [sys.executable, "-m", "pretenders_proxy", "serve", "--port", "0", "--proxy-port", "0",
            "--smtp-port", "0", "--smtp-port-range", "0", *args]  # fmt: skip


def wait_for(path: Path, process: subprocess.Popen[bytes]) -> dict[str, object]:
    deadline = time.monotonic() + 30
    while (found := ready.read(path)) is None:
        assert process.poll() is None and time.monotonic() < deadline, "it never got ready"
        time.sleep(0.02)
    return found


def test_the_ready_file_says_what_health_says_and_goes_when_it_stops(tmp_path: Path) -> None:
    path, confdir = tmp_path / "ready.json", tmp_path / "conf"
    command = serve("--confdir", str(confdir), "--ready-file", str(path))
    command += ["--reverse", "https://api.example.test=0"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        found = wait_for(path, process)
        listeners = found["listeners"]
        assert isinstance(listeners, dict)
        health = requests.get(f"{listeners['control']}/health", timeout=10).json()
        assert found == {
            "pid": process.pid,
            "listeners": health["listeners"],
            "ca_cert": str(confdir / "mitmproxy-ca-cert.pem"),
            "version": __version__,
        }
        assert set(listeners) == {"control", "proxy", "smtp", "reverse:https://api.example.test"}
        assert health["version"] == __version__
        assert Path(str(found["ca_cert"])).read_text().startswith("-----BEGIN CERTIFICATE-----")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
    assert not path.exists()


def test_no_ready_file_when_a_port_is_busy(tmp_path: Path) -> None:
    path = tmp_path / "ready.json"
    path.write_text('{"pid": 1, "listeners": {}}')  # left by an earlier run
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = str(taken.getsockname()[1])
        for flag in ("--port", "--proxy-port", "--smtp-port"):
            args = ["--confdir", str(tmp_path), "--ready-file", str(path), flag, busy]
            done = subprocess.run(serve(*args), capture_output=True, text=True, timeout=60)
            assert done.returncode == 2, done.stderr
            assert "is already in use" in done.stderr
            assert not path.exists(), flag


def test_a_ready_file_that_cannot_be_written_stops_it_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "no" / "ready.json"
    args = ["--confdir", str(tmp_path), "--ready-file", str(path)]
    done = subprocess.run(serve(*args), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"pretenders: --ready-file {path}: cannot write it (No such file or directory)"
    ]


async def test_the_ready_file_appears_only_once_the_server_runs_whole(tmp_path: Path) -> None:
    """Bound is not ready: mitmproxy's `running` hooks (its CA loaded again, our handler for
    running out of files put in front of its own) come first, so a tool that reads the file
    and loads the server at once meets all of it."""
    path = tmp_path / "ready.json"
    settings = Settings(port=0, proxy_port=0, smtp_port=0, smtp_port_range=(0, 0),
                        confdir=tmp_path / "conf", ready_file=path)  # fmt: skip
    server = Server(settings)
    await server.start()
    assert not path.exists(), "said ready before the proxy ran"
    serving = spawn(server.serve(), name="serve")
    try:
        async with asyncio.timeout(30):
            while not path.exists():  # noqa: ASYNC110 - a file, polled as tools poll it
                await asyncio.sleep(0.01)
        assert isinstance(asyncio.get_running_loop().get_exception_handler(), ExhaustionLog)
    finally:
        server.stop()
        await asyncio.wait_for(serving, 30)
    assert not path.exists()
    assert os.listdir(tmp_path) == ["conf"]  # no temporary left either
