"""`/mockhttp/`'s server CPU time per request, this tree against another (issue 20): a figure
a busy machine moves far less than req/s, which wrk on a shared core bounds.

`python bench/w1_cpu.py --before DIR [--runs 3] [--seconds 5] [--connections 32]`: W1's preset
from a session with history off and one with history on, on this tree and on the tree in DIR
(e.g. `git archive main pretenders_proxy | tar -x -C /tmp/before`), both servers at once on
core 0, measured in turns; each turn reads the server's utime+stime around one wrk run.
Result: `bench/results/w1_cpu.json`.
"""

import argparse
import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

from harness import machine, write, wrk
from systems import call, pretenders
from w1_mock import PRESET, setup_mock

_TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def _servers(stack: contextlib.ExitStack, before: Path) -> dict[str, tuple[int, str]]:
    """Each tree's server; per system, its pid and URL."""
    targets = {}
    here = Path.cwd()
    for tree, where in (("this tree", here), ("before", before)):
        os.chdir(where)  # `-m` puts the working directory first on sys.path: that tree's code
        confdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        p = stack.enter_context(pretenders("serve", [], confdir=confdir))
        os.chdir(here)
        for name in ("quiet", "loud"):
            setup_mock(p.control, [PRESET], name)
        call("POST", p.control + "/api/v1/sessions", {"name": "quiet", "record_history": False})
        for name, history in (("quiet", "off"), ("loud", "on")):
            targets[f"{tree}, history {history}"] = (
                p.service.pid,
                f"{p.control}/mockhttp/{name}/items/42",
            )
    return targets


def run(options: Any) -> dict[str, Any]:
    with contextlib.ExitStack() as stack:
        targets = _servers(stack, Path(options.before).resolve())
        for _, url in targets.values():
            wrk(url, seconds=2, connections=options.connections)
        turns: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
        for _ in range(options.runs):
            for name, (pid, url) in targets.items():
                start = _cpu(pid)
                load = wrk(url, seconds=options.seconds, connections=options.connections)
                used = _cpu(pid) - start
                turns[name].append(
                    {"requests_per_s": load.requests_per_s, "p99_ms": load.p99_ms,
                     "cpu_us_per_request": round(used / max(load.requests, 1) * 1e6, 1)}
                )  # fmt: skip
    return {name: {"median": _median(rows), "runs": rows} for name, rows in turns.items()}


def _median(rows: list[dict[str, float]]) -> dict[str, float]:
    return {key: sorted(row[key] for row in rows)[len(rows) // 2] for key in rows[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=32)
    options = parser.parse_args()
    at = machine()
    systems = run(options)
    for name, found in systems.items():
        print(f"  {name:28} {found['median']}")
    at["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    write("w1_cpu", {"machine": at, "options": vars(options), "systems": systems})


if __name__ == "__main__":
    main()
