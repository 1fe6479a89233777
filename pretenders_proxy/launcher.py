"""Start `pretenders serve` (or `record`, `replay`) as a real process on free ports and learn
where it listens.

Used by the test suite and the pytest plugin:

    with launch(["--confdir", str(tmp)]) as server:
        requests.get(server.control + "/health")
    with launch(["api.cassette"], command="replay") as server: ...
"""

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

_KEEP_LINES = 2000
_CONTROL = re.compile(r"control API, UI, mocks\s+(http://\S+?)/?$")


class LaunchError(RuntimeError):
    """The server process did not come up; the message carries what it printed."""


@dataclass
class RunningServer:
    """A pretenders process and its listeners (`listeners` as GET /health reports them)."""

    process: subprocess.Popen[str]
    control: str
    listeners: dict[str, str]
    output: list[str] = field(default_factory=list)

    @property
    def proxy(self) -> str:
        return self.listeners["proxy"]

    def reverse(self, url: str) -> str:
        """The address of the reverse listener sending to `url` (as given to --reverse)."""
        return self.listeners[f"reverse:{url}"]

    @property
    def host(self) -> str:
        return self.control.split("//", 1)[1].rsplit(":", 1)[0]

    @property
    def port(self) -> int:
        return int(self.control.rsplit(":", 1)[1])

    def stop(self, timeout: float = 15) -> int:
        """SIGTERM, wait, and return the exit status (SIGKILL if it does not stop in time)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode


def start(
    args: Sequence[str] = (),
    *,
    confdir: Path | None = None,
    timeout: float = 30,
    command: str = "serve",
) -> RunningServer:
    """Run `pretenders <command>` on free ports (unless `args` name them) until it is ready."""
    command_line = [sys.executable, "-m", "pretenders_proxy", command]
    for flag in ("--port", "--proxy-port", "--smtp-port"):
        if flag not in args:
            command_line += [flag, "0"]
    if confdir is not None:
        command_line += ["--confdir", str(confdir)]
    command_line += list(args)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    for proxy_variable in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env.pop(proxy_variable, None)
    process = subprocess.Popen(
        command_line, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    output: list[str] = []
    control = _wait_for_control(process, output, time.monotonic() + timeout)
    with urllib.request.urlopen(control + "/health", timeout=timeout) as answer:
        listeners = json.load(answer)["listeners"]
    return RunningServer(process, control, listeners, output)


def _wait_for_control(process: subprocess.Popen[str], output: list[str], deadline: float) -> str:
    """Read the banner for the control URL; a thread keeps draining the output afterwards."""
    found: list[str] = []
    ready = threading.Event()

    def drain() -> None:
        for line in process.stdout or ():
            output.append(line.rstrip("\n"))
            if len(output) > _KEEP_LINES:
                del output[: len(output) - _KEEP_LINES]
            if match := _CONTROL.search(line.rstrip()):
                found.append(match.group(1))
            if line.startswith("Ctrl-C") and found:
                ready.set()
        ready.set()  # the process ended

    threading.Thread(target=drain, name="pretenders-output", daemon=True).start()
    ready.wait(max(0.0, deadline - time.monotonic()))
    if found and process.poll() is None:
        return found[0]
    process.kill()
    process.wait()
    if process.stdout is not None:
        process.stdout.close()
    raise LaunchError("pretenders did not start:\n" + "\n".join(output))


@contextmanager
def launch(
    args: Sequence[str] = (), *, confdir: Path | None = None, command: str = "serve"
) -> Iterator[RunningServer]:
    server = start(args, confdir=confdir, command=command)
    try:
        yield server
    finally:
        server.stop()
