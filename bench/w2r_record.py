"""W2r: recording through the forward proxy to a local upstream, 1 KB JSON, c=32.

Compared in the same run, all running at once and measured in turns, with `mitmdump -w`
writing a flow file and the minimal recording core (bench/peers/bare_recorder.py): a bare
mitmproxy Master recording with mitmproxy's own `save` addon (the target's baseline), and the
same Master appending our cassette format with our writer (what the format alone costs).
Afterwards every completed exchange must be on disk (the files are read back and counted).
Targets: >= 2x mitmdump -w, >= 1.2x the bare recording Master (issue 20).
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
BARE_CASSETTE = "bare mitmproxy Master writing our cassette format"


def count_flows(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(1 for _ in flow_io.FlowReader(stream).stream())


def run(options: Any) -> dict[str, Any]:
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        target = f"{stack.enter_context(upstream())}/items/1"
        cassette, flows, bare_flows, bare_cassette = (
            folder / n for n in ("w2r.cassette", "w2r.flows", "bare", "bare.cassette")
        )
        load = proxied_load(stack, target, options.connections)
        with ExitStack() as running:
            ours = running.enter_context(pretenders("record", [str(cassette)], confdir=folder))
            dump, bare, bare_ours = free_port(), free_port(), free_port()
            running.enter_context(mitmdump(["-w", str(flows), "--set", f"confdir={folder}"], dump))
            running.enter_context(script("bare_recorder", bare, str(bare_flows)))
            running.enter_context(
                script("bare_recorder", bare_ours, str(bare_cassette), "--cassette")
            )
            measures = {OURS: load(ours.proxy_port), DUMP: load(dump), BARE: load(bare)}
            measures[BARE_CASSETTE] = load(bare_ours)
            systems = in_turns(measures, options.runs, options.warmup, options.seconds)
        # stopped: everything each wrote is on disk now
        systems[OURS]["exchanges_on_disk"] = len(reading.read(cassette).exchanges)
        systems[DUMP]["flows_on_disk"] = count_flows(flows)
        systems[BARE]["flows_on_disk"] = count_flows(bare_flows)
        systems[BARE_CASSETTE]["exchanges_on_disk"] = len(reading.read(bare_cassette).exchanges)
    for figures in systems.values():
        figures["requests_answered_in_measured_runs"] = sum(r["requests"] for r in figures["runs"])
    return verdict(systems)


def verdict(systems: dict[str, dict[str, Any]]) -> dict[str, Any]:
    ours = systems[OURS]
    versus = ratio(ours["requests_per_s"], systems[DUMP]["requests_per_s"])
    bare = ratio(ours["requests_per_s"], systems[BARE]["requests_per_s"])
    same_format = ratio(ours["requests_per_s"], systems[BARE_CASSETTE]["requests_per_s"])
    return {
        "systems": systems,
        "ratios": {
            f"{OURS} / {DUMP}": versus,
            f"{OURS} / {BARE}": bare,
            f"{OURS} / {BARE_CASSETTE}": same_format,
        },
        "targets": {
            ">= 2x mitmdump -w": versus >= 2,
            ">= 1.2x bare mitmproxy Master recording": bare >= 1.2,
            "every exchange on disk": ours["exchanges_on_disk"]
            >= ours["requests_answered_in_measured_runs"],
        },
    }
