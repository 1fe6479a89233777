"""`--ready-file PATH`: once everything listens, the server writes JSON there (pid, every
listener's address, CA path, version); tools read that, not the banner."""

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from pretenders_proxy import __version__
from pretenders_proxy.server import ready


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
