"""W1x p99: where a W1x latency's tail comes from. `python bench/w1x_p99.py [--runs N]`.

The bare asyncio floor, `/mockhttp/` and the proxied preset (one pretenders) at c=32, in turns,
no WireMock (its JIT warm-up is slow): each run's p50/p99/p99.9/max from wrk's own histogram,
and how long the server's threads and wrk's waited for a core while runnable
(/proc/PID/task/*/schedstat), in ms per second: on a shared machine that wait, not our code,
sets the p99. Results: bench/results/w1x_p99.json.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from harness import LOAD_CORE, free_port, machine, pinned, write
from systems import call, pretenders, script
from w1_mock import PATH, PRESET, setup_mock
from w1x_baselines import HOST, PROXIED, TARGET

DONE = """
done = function(summary, latency, requests)
  io.write(string.format("W1XP99 %.1f %.3f %.3f %.3f %.3f\\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000))
end
"""
FIGURES = ("requests_per_s", "p50_ms", "p99_ms", "p99_9_ms", "max_ms")


def lua(text: str) -> str:
    handle, path = tempfile.mkstemp(prefix="bench-p99-", suffix=".lua")
    with os.fdopen(handle, "w") as out:
        out.write(text + DONE)
    return path


def waited(pids: list[int]) -> tuple[int, int]:
    """Nanoseconds the threads of `pids` ran, and waited on a run queue while runnable."""
    ran = wait = 0
    for pid in pids:
        try:
            threads = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for thread in threads:
            try:
                fields = Path(f"/proc/{pid}/task/{thread}/schedstat").read_text().split()
            except OSError:
                continue
            ran, wait = ran + int(fields[0]), wait + int(fields[1])
    return ran, wait


def family(pid: int) -> list[int]:
    """`pid` and its descendants (`pretenders serve` may run the server in a child)."""
    found = [pid]
    for thread in os.listdir(f"/proc/{pid}/task"):
        children = Path(f"/proc/{pid}/task/{thread}/children").read_text().split()
        for child in children:
            found += family(int(child))
    return found


def one_run(url: str, script_path: str, seconds: float, server: list[int]) -> dict[str, float]:
    """One wrk run (c=32, the load core) and what it, and the server, waited for a core."""
    command = ["wrk", "-t1", "-c32", f"-d{seconds:g}s", "-s", script_path, url]
    before = waited(server)
    load = subprocess.Popen(pinned(LOAD_CORE, command), stdout=subprocess.PIPE, text=True)
    wrk = (0, 0)
    while load.poll() is None:  # its last reading before it exits
        wrk = waited([load.pid]) or wrk
        time.sleep(0.2)
    out = load.communicate()[0]
    after = waited(server)
    line = next(line for line in out.splitlines() if line.startswith("W1XP99 "))
    figures = dict(zip(FIGURES, (float(x) for x in line.split()[1:]), strict=True))
    per_s = 1e6 * seconds
    figures["server_ran_ms_per_s"] = round((after[0] - before[0]) / per_s)
    figures["server_waited_ms_per_s"] = round((after[1] - before[1]) / per_s)
    figures["wrk_ran_ms_per_s"], figures["wrk_waited_ms_per_s"] = (
        round(wrk[0] / per_s),
        round(wrk[1] / per_s),
    )
    return figures


def run(runs: int, seconds: float) -> dict[str, Any]:
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        p = stack.enter_context(pretenders("serve", confdir=folder))
        setup_mock(p.control, [PRESET])
        call("POST", p.control + "/api/v1/presets", PROXIED)
        floor = free_port()
        bare = stack.enter_context(script("bare_asyncio", floor))
        plain, proxied = lua(""), lua(f'wrk.path = "{TARGET}"\nwrk.headers["Host"] = "{HOST}"\n')
        for made in (plain, proxied):
            stack.callback(os.unlink, made)
        systems = {
            "bare asyncio floor": (f"http://127.0.0.1:{floor}{PATH}", plain, bare.pid),
            "pretenders /mockhttp/": (p.control + PATH, plain, p.service.pid),
            "pretenders proxied preset": (
                f"http://127.0.0.1:{p.proxy_port}/",
                proxied,
                p.service.pid,
            ),
        }
        found: dict[str, list[dict[str, float]]] = {name: [] for name in systems}
        for _ in range(runs + 1):  # the first round warms up
            for name, (url, lua_path, pid) in systems.items():
                found[name].append(one_run(url, lua_path, seconds, family(pid)))
    return {name: _summary(rows[1:]) for name, rows in found.items()}


def _summary(rows: list[dict[str, float]]) -> dict[str, Any]:
    medians = {key: round(statistics.median(row[key] for row in rows), 2) for key in rows[0]}
    return {**medians, "runs": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    options = parser.parse_args()
    started = machine()
    systems = run(options.runs, options.seconds)
    result: dict[str, object] = {
        "workload": "w1x_p99",
        "about": __doc__.strip(),
        "machine": started,
    }
    result |= {
        "settings": vars(options),
        "systems": systems,
        "load_average_at_end": os.getloadavg(),
    }
    path = write("w1x_p99", result)
    for name, figures in systems.items():
        print(f"{name:28s}", {k: v for k, v in figures.items() if k != "runs"})
    print(f"-> {path}")


if __name__ == "__main__":
    main()
