"""W7: server-sent events through the recording proxy, 32 streams at once.

Each stream is 20 events 50 ms apart from a local upstream; every event carries the moment it
was written, so the client measures each event's delay from write to arrival. Compared in the
same run with the same streams fetched directly. Target: under 5 ms added median delay.
"""

import tempfile
from pathlib import Path
from typing import Any

from streams import client, stream_upstream
from systems import pretenders

STREAMS, EVENTS, GAP = 32, 20, 0.05


def run(options: Any) -> dict[str, Any]:
    systems: dict[str, dict[str, Any]] = {"direct": {"runs": []}, "pretenders record": {"runs": []}}
    with tempfile.TemporaryDirectory() as work, stream_upstream() as upstream:
        folder = Path(work)
        url = f"{upstream}/sse?n={EVENTS}&gap={GAP}"
        with pretenders("record", [str(folder / "w7.cassette")], confdir=folder) as p:
            proxy = f"http://127.0.0.1:{p.proxy_port}"
            client("sse", url, "--streams", "4", "--proxy", proxy)  # warm-up
            for _ in range(options.runs):  # in turns
                systems["direct"]["runs"].append(client("sse", url, "--streams", str(STREAMS)))
                systems["pretenders record"]["runs"].append(
                    client("sse", url, "--streams", str(STREAMS), "--proxy", proxy)
                )
    for figures in systems.values():
        runs = sorted(figures["runs"], key=lambda r: r["median_ms"])
        figures.update({k: runs[len(runs) // 2][k] for k in ("median_ms", "p99_ms", "events")})
    added = round(systems["pretenders record"]["median_ms"] - systems["direct"]["median_ms"], 3)
    return {
        "systems": systems,
        "ratios": {"added median delay per event, ms": added},
        "targets": {"added median < 5 ms": added < 5},
    }
