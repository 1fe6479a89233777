"""What every workload needs: pinned processes, wrk runs, medians, RSS and result files.

The system under test runs on core 0 and the load generator on core 1 (`taskset`), so that
the figures say what one core of the server does. Every figure is compared with a baseline
measured in the same run.
"""

import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
SERVER_CORE, LOAD_CORE = "0", "1"


def pinned(core: str, command: Sequence[str]) -> list[str]:
    """`command` pinned to one core when taskset exists (it does on Debian)."""
    return ["taskset", "-c", core, *command] if _has("taskset") else list(command)


def _has(tool: str) -> bool:
    return subprocess.run(["which", tool], capture_output=True).returncode == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listened on port {port} within {timeout:g}s")


def peak_rss_mb(pid: int) -> float:
    """A running process's peak resident set (VmHWM), in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else float("nan")


@dataclass
class Service:
    """A process started for a benchmark; `log` holds what it printed."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def peak_rss_mb(self) -> float:
        """The process's peak resident set (VmHWM), in MiB."""
        return peak_rss_mb(self.pid)

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def service(
    name: str,
    command: Sequence[str],
    port: int | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Iterator[Service]:
    """Run `command` on the server core until the block ends; wait for `port` to listen.

    The service gets its own process group, and the whole group is stopped at the end: some
    peers (pretenders 1.4.5) start processes of their own that would otherwise live on.
    """
    log = Path(tempfile.mkstemp(prefix=f"bench-{name}-", suffix=".log")[1])
    with log.open("wb") as sink:
        process = subprocess.Popen(
            pinned(SERVER_CORE, command),
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(os.environ, **(env or {})),
            cwd=cwd,
            start_new_session=True,
        )
    running = Service(name, process, log)
    try:
        if port is not None:
            wait_for_port(port, process)
        yield running
    finally:
        _stop_group(process)
        log.unlink(missing_ok=True)


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the service's process group, SIGKILL to what is left after 30 s."""
    group = process.pid  # start_new_session: the service leads its own group
    with suppress(ProcessLookupError):
        os.killpg(group, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    with suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)  # children that outlived their leader


@dataclass(frozen=True)
class Load:
    """What one wrk run measured."""

    requests_per_s: float
    p99_ms: float
    requests: int
    errors: int
    non_2xx: int
    p50_ms: float = float("nan")


_LATENCY_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(
    url: str, *, seconds: float, connections: int, script: str | None = None, core: str = LOAD_CORE
) -> Load:
    """One wrk run (one thread, keep-alive) from the load core (or `core`)."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "--timeout", "10s"]
    if script is not None:
        command += ["-s", script]
    out = subprocess.run(
        pinned(core, [*command, url]), capture_output=True, text=True, check=True
    ).stdout
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return Load(
        requests_per_s=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        p99_ms=float(p99.group(1)) * _LATENCY_UNITS[p99.group(2)] if p99 else float("nan"),
        requests=int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        errors=sum(int(n) for n in errors.groups()) if errors else 0,
        non_2xx=int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0,
        p50_ms=float(p50.group(1)) * _LATENCY_UNITS[p50.group(2)] if p50 else float("nan"),
    )


def proxy_script(target: str, host: str) -> str:
    """A wrk script that sends absolute-form requests (what a forward proxy receives)."""
    handle, path = tempfile.mkstemp(prefix="bench-proxy-", suffix=".lua")
    with os.fdopen(handle, "w") as script:
        script.write(f'wrk.path = "{target}"\nwrk.headers["Host"] = "{host}"\n')
    return path


def median_load(runs: int, measure: Callable[[], Load]) -> dict[str, object]:
    """The median requests/s and p99 of `runs` measurements, with each run kept."""
    return summary([measure() for _ in range(runs)])


def in_turns(
    measures: dict[str, Callable[[float], Load]], runs: int, warmup: float, seconds: float
) -> dict[str, dict[str, object]]:
    """Each system's summary, measured in turns (A, B, A, B, ...): a machine that gets busier
    or quieter during the run then moves both alike, and their ratio stays fair.
    `measures[name](seconds)` runs one load against that system."""
    for measure in measures.values():
        measure(warmup)
    loads: dict[str, list[Load]] = {name: [] for name in measures}
    for _ in range(runs):
        for name, measure in measures.items():
            loads[name].append(measure(seconds))
    return {name: summary(found) for name, found in loads.items()}


def summary(loads: Sequence[Load]) -> dict[str, object]:
    """The median requests/s and p99 of `loads`, their errors, and each run."""
    return {
        "requests_per_s": round(statistics.median(x.requests_per_s for x in loads), 1),
        "p50_ms": round(statistics.median(x.p50_ms for x in loads), 2),
        "p99_ms": round(statistics.median(x.p99_ms for x in loads), 2),
        "errors": sum(x.errors + x.non_2xx for x in loads),
        "runs": [asdict(x) for x in loads],
    }


def ratio(value: float, baseline: float) -> float:
    return round(value / baseline, 2) if baseline else float("nan")


def machine() -> dict[str, object]:
    load = os.getloadavg()
    return {
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in load],
        "python": sys.version.split()[0],
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def write(name: str, result: dict[str, object]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path
