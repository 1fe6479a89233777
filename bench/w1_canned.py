"""W1 with canned replies against the code before them, in turns (issue 20).

`python bench/w1_canned.py --before DIR [--runs 8] [--seconds 5] [--connections 32]`: W1's
preset on three servers at once, each pinned to the server core, measured in turns (A, B, C,
A, B, C, ...) with wrk on the load core: this tree (canned replies), this tree with
--plain-mock-replies (aiohttp's response objects, same code otherwise), and the tree in DIR
(a checkout of the commit before, run from there). Result: bench/results/w1_canned.json.
"""

import argparse
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from harness import PYTHON, ROOT, free_port, in_turns, machine, ratio, service, write
from w1_mock import PATH, PRESET, loader, setup_mock


@contextmanager
def server(code: Path, confdir: Path, flags: Sequence[str] = ()) -> Iterator[str]:
    """`pretenders serve` from the tree `code` (python -m puts the working directory first)."""
    port = free_port()
    line = [PYTHON, "-m", "pretenders_proxy", "serve", "--port", str(port)]
    for flag in ("--proxy-port", "--smtp-port", "--smtp-port-range"):
        line += [flag, "0"]
    line += ["--confdir", str(confdir), "--log-level", "warning", *flags]
    with service(f"pretenders-{code.name}", line, port, cwd=code):
        control = f"http://127.0.0.1:{port}"
        setup_mock(control, [PRESET])
        yield control + PATH


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="checkout of the old code")
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--name", default="w1_canned", help="result file (the fast lane's: w1_fastlane)"
    )
    parser.add_argument("--ours", default="canned (this tree)", help="this tree's label")
    options = parser.parse_args()
    result: dict[str, Any] = {"machine": machine(), "options": vars(options) | {"before": ""}}
    result["options"]["before"] = str(options.before)
    with ExitStack() as stack:
        confdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        urls = {
            options.ours: stack.enter_context(server(ROOT, confdir)),
            "plain (this tree, --plain-mock-replies)": stack.enter_context(
                server(ROOT, confdir, ["--plain-mock-replies"])
            ),
            "before (main)": stack.enter_context(server(options.before.resolve(), confdir)),
        }
        measures = {name: loader(url, options.connections) for name, url in urls.items()}
        systems = in_turns(measures, options.runs, options.warmup, options.seconds)
    ours = systems[options.ours]["requests_per_s"]
    result["systems"] = systems
    result["ratios"] = {
        f"{options.ours.split()[0]} / {name}": ratio(ours, figures["requests_per_s"])
        for name, figures in systems.items()
        if name != options.ours
    }
    result["machine"]["load_average_at_end"] = machine()["load_average_at_start"]
    name = options.name
    name = name if options.connections == 32 else f"{name}_c{options.connections}"
    print(write(name, result).read_text())


if __name__ == "__main__":
    main()
