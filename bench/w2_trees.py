"""The proxied paths of this tree against the code before a change, in turns (issue 20).

`python bench/w2_trees.py --before DIR [--runs 6] [--seconds 5] [--connections 32]`: W2's
replay, W2r's recording and W1x's proxied preset, each on two servers at once (this tree and
the tree in DIR, a checkout of the commit before, run from there), every server pinned to the
server core and measured in turns with wrk on the load core. Result: bench/results/w2_trees.json.
"""

import argparse
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from harness import PYTHON, ROOT, Load, free_port, in_turns, machine, ratio, service, write
from systems import call, upstream
from w1x_baselines import PROXIED
from w2_replay import fetch_through, proxied_load


@contextmanager
def server(code: Path, confdir: Path, *args: str) -> Iterator[tuple[str, int]]:
    """`pretenders ARGS` from the tree `code` (python -m puts the working directory first):
    its control URL and proxy port."""
    port, proxy = free_port(), free_port()
    line = [PYTHON, "-m", "pretenders_proxy", *args, "--port", str(port)]
    line += ["--proxy-port", str(proxy), "--smtp-port", "0", "--smtp-port-range", "0"]
    line += ["--confdir", str(confdir), "--log-level", "warning"]
    with service(f"pretenders-{code.name}", line, port, cwd=code):
        yield f"http://127.0.0.1:{port}", proxy


def scenarios(stack: ExitStack, trees: dict[str, Path], connections: int) -> dict[str, Any]:
    """Each tree's loads: replay, record and the proxied preset."""
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
    api = stack.enter_context(upstream())
    target, preset = f"{api}/items/1", "http://api.example.test/items/42"
    upstream_load = proxied_load(stack, target, connections)
    preset_load = proxied_load(stack, preset, connections)
    measures: dict[str, Callable[[float], Load]] = {}
    for name, code in trees.items():
        cassette = folder / f"{name}.cassette"
        _, proxy = stack.enter_context(server(code, folder, "record", str(cassette)))
        fetch_through(proxy, target)  # the exchange replay answers from
        measures[f"record, {name}"] = upstream_load(proxy)
        replayed = folder / f"{name}-replay.cassette"
        replayed.write_bytes(cassette.read_bytes())
        _, proxy = stack.enter_context(server(code, folder, "replay", str(replayed)))
        measures[f"replay, {name}"] = upstream_load(proxy)
        control, proxy = stack.enter_context(server(code, folder, "serve"))
        call("POST", control + "/api/v1/presets", PROXIED)
        measures[f"proxied preset, {name}"] = preset_load(proxy)
    return measures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="checkout of the old code")
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--connections", type=int, default=32)
    options = parser.parse_args()
    result: dict[str, Any] = {"machine": machine(), "options": vars(options) | {"before": ""}}
    result["options"]["before"] = str(options.before)
    trees = {"this tree": ROOT, "before": options.before.resolve()}
    with ExitStack() as stack:
        measures = scenarios(stack, trees, options.connections)
        systems = in_turns(measures, options.runs, options.warmup, options.seconds)
    result["systems"] = systems
    rate = {name: figures["requests_per_s"] for name, figures in systems.items()}
    result["ratios"] = {
        f"{kind}: this tree / before": ratio(rate[f"{kind}, this tree"], rate[f"{kind}, before"])
        for kind in ("replay", "record", "proxied preset")
    }
    result["machine"]["load_average_at_end"] = machine()["load_average_at_start"]
    print(write("w2_trees", result).read_text())


if __name__ == "__main__":
    main()
