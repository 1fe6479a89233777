"""A real `redis-server` for the tests (issue 18's shared store): started on a free loopback
port in a folder of its own with persistence on (append-only file), stopped by its PID."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

READY_SECONDS = 10.0
BIND_ATTEMPTS = 5


class PortTakenError(RuntimeError):
    """redis-server could not listen: another process had its port."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RedisServer:
    """One redis-server process; `start` again after `stop` or `kill` reuses its folder and
    port, so what it persisted is there again."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = folder
        self.port = port or free_port()
        self._chosen = port is None  # ours, not yet handed out: another may be tried
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        """Start it and wait for PING. A free port found by `free_port` can be taken by another
        process (a parallel test's) before redis-server binds it: a port of ours is then
        replaced and tried again, a few times, at the first start only; the caller's port, or
        the one a restart must keep (its URL was handed out), is not."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for attempt in range(BIND_ATTEMPTS):
            try:
                self._launch()
                self._chosen = False
                return self
            except PortTakenError:
                if not self._chosen or attempt == BIND_ATTEMPTS - 1:
                    raise
                self.port = free_port()
        raise AssertionError("unreachable")

    def _launch(self) -> None:
        command = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port)]
        command += ["--dir", str(self.folder), "--appendonly", "yes", "--appendfsync", "always"]
        command += ["--save", "", "--daemonize", "no", "--logfile", str(self.folder / "log")]
        (self.folder / "log").unlink(missing_ok=True)  # what this launch says, alone
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                log = (self.folder / "log").read_text(errors="replace")[-2000:]
                failed = PortTakenError if "Address already in use" in log else RuntimeError
                raise failed(f"redis-server exited ({self.process.returncode}):\n{log}")
            if self.ping():
                return
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"redis-server did not answer PING on port {self.port}")

    def ping(self) -> bool:
        """Whether the server answers PING now (a raw RESP exchange: no client needed)."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """SIGTERM (redis flushes its append-only file), then wait for the PID to end."""
        self._end(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL: what `--appendfsync always` wrote stays on disk."""
        self._end(signal.SIGKILL)

    def _end(self, how: signal.Signals) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, how)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
