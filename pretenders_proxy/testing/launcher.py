"""Start `pretenders serve` (or `record`, `replay`) as a real process on free ports and learn
where it listens from its ready file (`--ready-file`), never from what it prints.

Used by the test suite and the pytest plugin:

    with launch(["--confdir", str(tmp)]) as server:
        requests.get(server.control + "/health")
    with launch(["api.cassette"], command="replay") as server: ...

What the process prints goes to a log file (`server.log`), so the server can outlive the
process that started it (pytest-xdist workers share one).
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pretenders_proxy.errors import LaunchError
from pretenders_proxy.server import ready

_POLL = 0.02


@dataclass
class RunningServer:
    """A pretenders process and its listeners (`listeners` as GET /health reports them)."""

    pid: int
    control: str
    listeners: dict[str, str]
    log: Path
    confdir: Path | None
    process: subprocess.Popen[bytes] | None = None
    """Only in the process that started it."""
    _printed: list[str] | None = None

    @property
    def output(self) -> list[str]:
        """What the server printed so far (banner, warnings, errors), also after `discard_log`."""
        if self._printed is not None:
            return self._printed
        return self.log.read_text(errors="replace").splitlines()

    def discard_log(self) -> None:
        """Delete the log file, keeping what it says in `output`."""
        self._printed = self.output
        self.log.unlink(missing_ok=True)

    @property
    def proxy(self) -> str:
        return self.listeners["proxy"]

    def reverse(self, url: str) -> str:
        """The address of the reverse listener sending to `url` (as given to --reverse)."""
        return self.listeners[f"reverse:{url}"]

    @property
    def smtp(self) -> tuple[str, int]:
        """The (host, port) of the SMTP capture listener."""
        host, _, port = self.listeners["smtp"].split("//", 1)[1].rpartition(":")
        return host.strip("[]"), int(port)

    @property
    def host(self) -> str:
        return self.control.split("//", 1)[1].rsplit(":", 1)[0]

    @property
    def port(self) -> int:
        return int(self.control.rsplit(":", 1)[1])

    def stop(self, timeout: float = 15) -> int | None:
        """SIGTERM, wait, and return the exit status (SIGKILL if it does not stop in time)."""
        if self.process is None:  # started elsewhere: signal it, it is not our child to wait
            _signal(self.pid, signal.SIGTERM)
            return None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def as_dict(self) -> dict[str, Any]:
        """What another process needs to use (and stop) this server."""
        confdir = str(self.confdir) if self.confdir else None
        return {
            "pid": self.pid,
            "control": self.control,
            "listeners": self.listeners,
            "log": str(self.log),
            "confdir": confdir,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RunningServer":
        confdir = Path(data["confdir"]) if data["confdir"] else None
        return cls(data["pid"], data["control"], data["listeners"], Path(data["log"]), confdir)


def start(
    args: Sequence[str] = (),
    *,
    confdir: Path | None = None,
    log: Path | None = None,
    timeout: float = 30,
    command: str = "serve",
    own_group: bool = False,
) -> RunningServer:
    """Run `pretenders <command>` on free ports (unless `args` name them) until it is ready.
    `own_group`: in a process group of its own, so that a terminal's Ctrl-C, which reaches the
    whole foreground group, leaves it to whoever started it to stop."""
    command_line = [sys.executable, "-m", "pretenders_proxy", command]
    for flag in ("--port", "--proxy-port", "--smtp-port", "--smtp-port-range"):
        if flag not in args:
            command_line += [flag, "0"]
    if confdir is not None:
        command_line += ["--confdir", str(confdir)]
    command_line += list(args)
    if "--ready-file" in args:
        ready_file = Path(args[list(args).index("--ready-file") + 1])
    else:
        ready_file = _fresh_path(".ready.json")
        command_line += ["--ready-file", str(ready_file)]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        env.pop(name, None)
    log = log or _fresh_path(".log")
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command_line,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            stdin=subprocess.DEVNULL,
            process_group=0 if own_group else None,
        )
    listeners = wait_until_ready(process, ready_file, log, time.monotonic() + timeout)
    return RunningServer(process.pid, listeners["control"], listeners, log, confdir, process)


def wait_until_ready(
    process: subprocess.Popen[bytes], ready_file: Path, log: Path, deadline: float
) -> dict[str, str]:
    """The listeners the process's ready file names, once it has written it; LaunchError with
    what it printed if it exits or the deadline passes first."""
    while time.monotonic() < deadline and process.poll() is None:
        if (found := ready.read(ready_file)) is not None:
            listeners: dict[str, str] = found["listeners"]
            return listeners
        time.sleep(_POLL)
    if process.poll() is None:
        process.kill()
    process.wait()
    raise LaunchError("pretenders did not start:\n" + log.read_text(errors="replace"))


def _fresh_path(suffix: str) -> Path:
    """A new temporary file's path, with no file there (yet)."""
    handle, name = tempfile.mkstemp(prefix="pretenders-", suffix=suffix)
    os.close(handle)
    os.unlink(name)
    return Path(name)


def _signal(pid: int, sig: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.kill(pid, sig)


@contextmanager
def launch(
    args: Sequence[str] = (), *, confdir: Path | None = None, command: str = "serve"
) -> Iterator[RunningServer]:
    server = start(args, confdir=confdir, command=command)
    try:
        yield server
    finally:
        server.stop()
        server.discard_log()
