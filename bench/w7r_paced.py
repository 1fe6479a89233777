"""W7r: replay of a recorded 100-event stream (10 ms apart, 1 s in all), paced and unpaced.

Recorded once through `pretenders record`; then `pretenders replay` at `--replay-speed 1`
(the recorded gaps kept) and at the default 0 (no waiting), the upstream stopped. The client
notes when each event arrived. Target: paced within 20% of the recorded 1 s; unpaced well under.
"""

import tempfile
from pathlib import Path
from typing import Any

from streams import client, stream_upstream
from systems import pretenders

EVENTS, GAP = 100, 0.01


def run(options: Any) -> dict[str, Any]:
    systems: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        cassette = folder / "w7r.cassette"
        with stream_upstream() as upstream:
            url = f"{upstream}/sse?n={EVENTS}&gap={GAP}"
            with pretenders("record", [str(cassette)], confdir=folder) as p:
                client("replay", url, "--proxy", f"http://127.0.0.1:{p.proxy_port}")
        for name, speed in (("paced (--replay-speed 1)", "1"), ("unpaced (default 0)", "0")):
            args = [str(cassette), "--replay-speed", speed]
            with pretenders("replay", args, confdir=folder) as p:
                proxy = f"http://127.0.0.1:{p.proxy_port}"
                runs = [client("replay", url, "--proxy", proxy) for _ in range(options.runs)]
            runs.sort(key=lambda r: r["total_s"])
            systems[name] = {**runs[len(runs) // 2], "runs": runs}
    recorded = (EVENTS - 1) * GAP
    paced = systems["paced (--replay-speed 1)"]["total_s"]
    unpaced = systems["unpaced (default 0)"]["total_s"]
    return {
        "systems": systems,
        "ratios": {
            "paced / recorded": round(paced / recorded, 3),
            "unpaced / recorded": round(unpaced / recorded, 3),
        },
        "targets": {
            "paced within 20% of recorded": abs(paced - recorded) <= 0.2 * recorded,
            "unpaced under a tenth of recorded": unpaced < recorded / 10,
        },
    }
