"""W8: WebSocket replay, 8 sockets each sending 200 messages one at a time.

Recorded once through `pretenders record` from an echo upstream, then replayed by
`pretenders replay` (upstream stopped): messages answered per second. Compared in the same run
with the bare aiohttp echo server fetched directly (the floor a Python WebSocket server sets).
"""

import tempfile
from pathlib import Path
from typing import Any

from streams import client, stream_upstream
from systems import pretenders

SOCKETS, MESSAGES = 8, 200


def run(options: Any) -> dict[str, Any]:
    args = ["--streams", str(SOCKETS), "--messages", str(MESSAGES)]
    systems: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        cassette = folder / "w8.cassette"
        with stream_upstream() as upstream:
            ws = upstream.replace("http://", "ws://") + "/ws"
            runs = [client("ws", ws, *args) for _ in range(options.runs)]
            systems["bare aiohttp echo"] = _median(runs)
            with pretenders("record", [str(cassette)], confdir=folder) as p:
                client("ws", ws, *args, "--proxy", f"http://127.0.0.1:{p.proxy_port}")
        with pretenders("replay", [str(cassette)], confdir=folder) as p:
            proxy = f"http://127.0.0.1:{p.proxy_port}"
            runs = [client("ws", ws, *args, "--proxy", proxy) for _ in range(options.runs)]
            systems["pretenders replay"] = _median(runs)
    ours, bare = systems["pretenders replay"], systems["bare aiohttp echo"]
    return {
        "systems": systems,
        "ratios": {"replay / bare echo": round(ours["messages_per_s"] / bare["messages_per_s"], 3)},
        "targets": {"every message answered": ours["answered"] == SOCKETS * MESSAGES},
    }


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(runs, key=lambda r: r["messages_per_s"])
    return {**ordered[len(ordered) // 2], "runs": runs}
