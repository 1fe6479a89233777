"""W2r: recording through the forward proxy to a local upstream, 1 KB JSON, c=32.

Compared in the same run, all three running at once and measured in turns, with `mitmdump -w`
writing a flow file and a bare mitmproxy Master recording with mitmproxy's own `save` addon
(bench/peers/bare_recorder.py). Afterwards every completed exchange must be on disk (the
cassette and flow files are read back and counted). Targets: >= 2x mitmdump -w, >= 1.2x the
bare recording Master (issue 20).
"""

import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from harness import free_port, in_turns, ratio
from mitmproxy import io as flow_io
from systems import mitmdump, pretenders, script, upstream
from w2_replay import proxied_load

from pretenders_proxy.cassette import reading

OURS, DUMP, BARE = "pretenders record", "mitmdump -w", "bare mitmproxy Master recording"


def count_flows(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(1 for _ in flow_io.FlowReader(stream).stream())


def run(options: Any) -> dict[str, Any]:
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        target = f"{stack.enter_context(upstream())}/items/1"
        cassette, flows, bare_flows = (folder / n for n in ("w2r.cassette", "w2r.flows", "bare"))
        load = proxied_load(stack, target, options.connections)
        with ExitStack() as running:
            ours = running.enter_context(pretenders("record", [str(cassette)], confdir=folder))
            dump, bare = free_port(), free_port()
            running.enter_context(mitmdump(["-w", str(flows), "--set", f"confdir={folder}"], dump))
            running.enter_context(script("bare_recorder", bare, str(bare_flows)))
            measures = {OURS: load(ours.proxy_port), DUMP: load(dump), BARE: load(bare)}
            systems = in_turns(measures, options.runs, options.warmup, options.seconds)
        # stopped: everything each wrote is on disk now
        systems[OURS]["exchanges_on_disk"] = len(reading.read(cassette).exchanges)
        systems[DUMP]["flows_on_disk"] = count_flows(flows)
        systems[BARE]["flows_on_disk"] = count_flows(bare_flows)
    for figures in systems.values():
        figures["requests_answered_in_measured_runs"] = sum(r["requests"] for r in figures["runs"])
    return verdict(systems)


def verdict(systems: dict[str, dict[str, Any]]) -> dict[str, Any]:
    ours = systems[OURS]
    versus = ratio(ours["requests_per_s"], systems[DUMP]["requests_per_s"])
    bare = ratio(ours["requests_per_s"], systems[BARE]["requests_per_s"])
    return {
        "systems": systems,
        "ratios": {f"{OURS} / {DUMP}": versus, f"{OURS} / {BARE}": bare},
        "targets": {
            ">= 2x mitmdump -w": versus >= 2,
            ">= 1.2x bare mitmproxy Master recording": bare >= 1.2,
            "every exchange on disk": ours["exchanges_on_disk"]
            >= ours["requests_answered_in_measured_runs"],
        },
    }
