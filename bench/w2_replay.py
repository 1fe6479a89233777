"""W2: replay through the forward proxy, 1 KB JSON, keep-alive, c=32.

Recorded once from a local upstream (by pretenders into a cassette, by mitmdump into a flow
file), the upstream is then stopped. Compared in the same run with `mitmdump --server-replay`
(same mitmproxy version) and with a bare mitmproxy Master answering from its request hook.
Target: >= 2x mitmdump, p99 <= 60 ms.
"""

import os
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

from harness import free_port, median_load, proxy_script, ratio, wrk
from systems import mitmdump, pretenders, script, upstream


def fetch_through(proxy_port: int, url: str) -> bytes:
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({"http": f"http://127.0.0.1:{proxy_port}"})
    )
    with opener.open(url, timeout=30) as answer:
        return answer.read()


def measure(proxy_port: int, target: str, options: Any) -> dict[str, Any]:
    host = target.split("//", 1)[1].split("/", 1)[0]
    lua = proxy_script(target, host)
    try:
        url = f"http://127.0.0.1:{proxy_port}/"
        wrk(url, seconds=options.warmup, connections=options.connections, script=lua)
        return median_load(
            options.runs,
            lambda: wrk(url, seconds=options.seconds, connections=options.connections, script=lua),
        )
    finally:
        os.unlink(lua)


def run(options: Any) -> dict[str, Any]:
    systems: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        cassette, flows = folder / "w2.cassette", folder / "w2.flows"
        with upstream() as api:
            target = f"{api}/items/1"
            with pretenders("record", [str(cassette)], confdir=folder) as p:
                fetch_through(p.proxy_port, target)
            port = free_port()
            with mitmdump(["-w", str(flows)], port):
                fetch_through(port, target)
        with pretenders("replay", [str(cassette)], confdir=folder) as p:
            systems["pretenders replay"] = measure(p.proxy_port, target, options)
        port = free_port()
        replay = [
            "-S",
            str(flows),
            "--set",
            "server_replay_reuse=true",
            "--set",
            f"confdir={folder}",
        ]
        with mitmdump(replay, port):
            systems["mitmdump --server-replay"] = measure(port, target, options)
        port = free_port()
        with script("bare_master", port):
            systems["bare mitmproxy Master"] = measure(port, target, options)
    ours = systems["pretenders replay"]
    versus = ratio(ours["requests_per_s"], systems["mitmdump --server-replay"]["requests_per_s"])
    return {
        "systems": systems,
        "ratios": {
            "pretenders / mitmdump --server-replay": versus,
            "pretenders / bare mitmproxy Master": ratio(
                ours["requests_per_s"], systems["bare mitmproxy Master"]["requests_per_s"]
            ),
        },
        "targets": {">= 2x mitmdump": versus >= 2, "p99_ms <= 60": ours["p99_ms"] <= 60},
    }
