"""A real HAProxy for the tests (docs/scale.md's load balancer): run in the foreground on a
configuration file, asked what it did through its statistics page, stopped by its PID."""

import csv
import io
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

READY_SECONDS = 20.0
MISSING = "haproxy is missing: install the Debian package haproxy (./dev test installs it)"


def require() -> str:
    """The haproxy command; the test fails (never skips) without it: ./dev test installs it."""
    # Debian puts it in /usr/sbin, which a user's PATH may leave out.
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin")
    if found is None:
        pytest.fail(MISSING, pytrace=False)
    return found


class HAProxy:
    """One haproxy process (`command` names its configuration file), whose statistics page
    is `stats` (an http:// URL)."""

    def __init__(self, command: list[str], stats: str, log: Path) -> None:
        self.command, self.stats_url, self.log = command, stats, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, servers: int) -> "HAProxy":
        """Start it and wait until its checks have found `servers` servers UP."""
        with self.log.open("wb") as sink:
            self.process = subprocess.Popen(
                self.command, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"haproxy exited ({self.process.returncode}):\n{self.output}")
            try:
                if sum(row["status"] == "UP" for row in self.servers()) == servers:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"haproxy did not find {servers} servers up:\n{self.output}")

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def servers(self) -> list[dict[str, str]]:
        """The statistics rows of its servers (not its frontends and backends): pxname (the
        listen section), svname, status, stot (connections it sent there), chkfail..."""
        text = httpx.get(f"{self.stats_url};csv", timeout=5).raise_for_status().text
        rows = csv.DictReader(io.StringIO(text.removeprefix("# ")))
        return [row for row in rows if row["svname"] not in ("FRONTEND", "BACKEND")]

    def sent(self, section: str) -> dict[str, int]:
        """How many connections (or HTTP sessions) `section` has sent to each of its servers."""
        return {r["svname"]: int(r["stot"]) for r in self.servers() if r["pxname"] == section}

    def stop(self) -> None:
        """SIGTERM (a hard stop: it closes every connection), then wait for the PID to end."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
