"""W2r: recording through the forward proxy to a local upstream, 1 KB JSON, c=32.

Compared in the same run with `mitmdump -w` writing a flow file. Afterwards every completed
exchange must be on disk (the cassette is read back and counted). Target: >= 2x mitmdump -w.
"""

import tempfile
from pathlib import Path
from typing import Any

from harness import free_port, ratio
from mitmproxy import io as flow_io
from systems import mitmdump, pretenders, upstream
from w2_replay import measure

from pretenders_proxy.cassette import reading


def run(options: Any) -> dict[str, Any]:
    systems: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as work, upstream() as api:
        folder = Path(work)
        target = f"{api}/items/1"
        cassette, flows = folder / "w2r.cassette", folder / "w2r.flows"
        with pretenders("record", [str(cassette)], confdir=folder) as p:
            systems["pretenders record"] = measure(p.proxy_port, target, options)
        answered = sum(run["requests"] for run in systems["pretenders record"]["runs"])
        systems["pretenders record"]["exchanges_on_disk"] = len(reading.read(cassette).exchanges)
        systems["pretenders record"]["requests_answered_in_measured_runs"] = answered
        port = free_port()
        with mitmdump(["-w", str(flows), "--set", f"confdir={folder}"], port):
            systems["mitmdump -w"] = measure(port, target, options)
        with flows.open("rb") as stream:
            systems["mitmdump -w"]["flows_on_disk"] = sum(
                1 for _ in flow_io.FlowReader(stream).stream()
            )
    ours = systems["pretenders record"]
    versus = ratio(ours["requests_per_s"], systems["mitmdump -w"]["requests_per_s"])
    return {
        "systems": systems,
        "ratios": {"pretenders / mitmdump -w": versus},
        "targets": {
            ">= 2x mitmdump -w": versus >= 2,
            "every exchange on disk": ours["exchanges_on_disk"]
            >= ours["requests_answered_in_measured_runs"],
        },
    }
