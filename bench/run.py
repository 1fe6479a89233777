"""Run the benchmarks: `python bench/run.py [w1 w1h w1x w2 w2r w3 ... w9 w9w] [OPTIONS]`.

Each workload starts its systems (pretenders pinned to core 0, load on core 1), warms up,
measures `--runs` times and keeps the median; figures are compared with baselines measured in
the same run. Results go to bench/results/<workload>.json and a table to stdout.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import cassette_tools
import w1_mock
import w1h_history
import w1x_baselines
import w2_replay
import w2r_record
import w3_smtp
import w4_cassette
import w5_presets
import w7_sse
import w7r_paced
import w8_websocket
import w9_store
import w9w_workers
from harness import machine, write

WORKLOADS = {
    "w1": w1_mock,
    "w1h": w1h_history,
    "w1x": w1x_baselines,
    "w2": w2_replay,
    "w2r": w2r_record,
    "w3": w3_smtp,
    "w4": w4_cassette,
    "w5": w5_presets,
    "w6": cassette_tools,
    "w7": w7_sse,
    "w7r": w7r_paced,
    "w8": w8_websocket,
    "w9": w9_store,
    "w9w": w9w_workers,
}


def counts(text: str) -> list[int]:
    """`32,256` -> [32, 256]."""
    return [int(part) for part in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="*", choices=[[], *WORKLOADS], default=[])
    parser.add_argument("--runs", type=int, default=3, help="measured runs (median kept)")
    parser.add_argument("--seconds", type=float, default=10, help="length of each run")
    parser.add_argument("--warmup", type=float, default=5, help="warm-up before measuring")
    parser.add_argument(
        "--connections",
        type=counts,
        default=[32, 256],
        help="concurrent connections, a comma list: w1x measures each, the others the first",
    )
    parser.add_argument(
        "--w4-full-mitmdump",
        action="store_true",
        help="w4: start mitmdump on all 100,000 flows (about a minute) rather than 10,000",
    )
    parser.add_argument("--store", choices=["memory", "redis"], default="memory", help="w1h's")
    parser.add_argument("--exchanges", type=int, default=cassette_tools.EXCHANGES, help="w6 size")
    options = parser.parse_args()
    options.connection_counts, options.connections = options.connections, options.connections[0]
    for name in options.workloads or list(WORKLOADS):
        module = WORKLOADS[name]
        result = {
            "workload": name,
            "about": module.__doc__.strip(),
            "machine": machine(),
            "settings": vars(options) | {"workloads": None},
            **module.run(options),
        }
        path = write(name, result)
        print(f"\n{name}: {module.__doc__.strip().splitlines()[0]}")
        for system, figures in result["systems"].items():
            shown = {k: v for k, v in figures.items() if k != "runs"}
            print(f"  {system:32s} {json.dumps(shown)}")
        for what, value in {**result["ratios"], **result["targets"]}.items():
            print(f"  {what:48s} {value}")
        print(f"  -> {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")


if __name__ == "__main__":
    main()
