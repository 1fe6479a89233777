"""What the Node preload costs a process that starts: `node -e 1`, with and without it.

    python bench/node_preload.py [--starts 30] [--rounds 5]

Three variants, in turns (A, B, C, A, B, C, ...) so that a machine getting busier moves all
alike, each started `--starts` times per round on the load core: plain node; the preload with
no proxy variable (it returns at once); the preload with HTTPS_PROXY set (it loads Node's undici
and http/https to install itself; nothing is sent). The median start of each, in ms, and the
preload's extra over plain node go to bench/results/node_preload.json.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from harness import LOAD_CORE, machine, pinned, write

PRELOAD = Path(__file__).parents[1] / "pretenders_proxy" / "environment" / "node" / "proxy.cjs"
QUIET = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
VARIANTS = {
    "plain": QUIET,
    "preload, no proxy": {**QUIET, "NODE_OPTIONS": f"--require {PRELOAD}"},
    "preload, HTTPS_PROXY": {
        **QUIET,
        "NODE_OPTIONS": f"--require {PRELOAD}",
        "HTTPS_PROXY": "http://session:x@127.0.0.1:9",
    },
}


def start_ms(env: dict[str, str]) -> float:
    began = time.perf_counter()
    subprocess.run(pinned(LOAD_CORE, ["node", "-e", "1"]), env=env, check=True)
    return (time.perf_counter() - began) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    result: dict[str, object] = {"machine": machine(), "node": node_version()}
    times: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(args.rounds):
        for name, env in VARIANTS.items():
            times[name] += [start_ms(env) for _ in range(args.starts)]
    medians = {name: round(statistics.median(found), 1) for name, found in times.items()}
    result["median_start_ms"] = medians
    result["extra_ms"] = {
        name: round(medians[name] - medians["plain"], 1) for name in medians if name != "plain"
    }
    print(medians, result["extra_ms"])
    print("written:", write("node_preload", result))


def node_version() -> str:
    return subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()


if __name__ == "__main__":
    main()
