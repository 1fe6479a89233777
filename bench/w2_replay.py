"""W2: replay through the forward proxy, 1 KB JSON, keep-alive, c=32.

Recorded once from a local upstream (by pretenders into a cassette, by mitmdump into a flow
file), the upstream is then stopped. Compared in the same run, all three running at once and
measured in turns, with `mitmdump --server-replay` (same mitmproxy version) and with a bare
mitmproxy Master answering from its request hook (bench/peers/bare_master.py).
pretenders runs twice: with its proxy fast lane (the default) and with --plain-mock-replies
(every request through mitmproxy's layers and our addons).
Targets: >= 2x mitmdump, >= 1.5x the bare Master (issue 20), p99 <= 60 ms.
"""

import os
import tempfile
import urllib.request
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from harness import Load, free_port, in_turns, proxy_script, ratio, wrk
from systems import mitmdump, pretenders, script, upstream


def fetch_through(proxy_port: int, url: str) -> bytes:
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({"http": f"http://127.0.0.1:{proxy_port}"})
    )
    with opener.open(url, timeout=30) as answer:
        return answer.read()


def proxied_load(stack: ExitStack, target: str, connections: int) -> Callable[[int], Any]:
    """`load(proxy_port)`: one wrk run of `seconds` sending absolute-form GETs for `target`
    through that proxy (the wrk script is removed when `stack` closes)."""
    host = target.split("//", 1)[1].split("/", 1)[0]
    lua = proxy_script(target, host)
    stack.callback(os.unlink, lua)

    def load(proxy_port: int) -> Callable[[float], Load]:
        url = f"http://127.0.0.1:{proxy_port}/"
        return lambda seconds: wrk(url, seconds=seconds, connections=connections, script=lua)

    return load


def run(options: Any) -> dict[str, Any]:
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        cassette, flows = folder / "w2.cassette", folder / "w2.flows"
        with upstream() as api:
            target = f"{api}/items/1"
            with pretenders("record", [str(cassette)], confdir=folder) as p:
                fetch_through(p.proxy_port, target)
            port = free_port()
            with mitmdump(["-w", str(flows)], port):
                fetch_through(port, target)
        load = proxied_load(stack, target, options.connections)
        ours = stack.enter_context(pretenders("replay", [str(cassette)], confdir=folder))
        laneless = [str(cassette), "--plain-mock-replies"]  # every request through mitmproxy
        plain = stack.enter_context(pretenders("replay", laneless, confdir=folder))
        dump, bare = free_port(), free_port()
        replay = ["-S", str(flows), "--set", "server_replay_reuse=true"]
        replay += ["--set", f"confdir={folder}"]
        stack.enter_context(mitmdump(replay, dump))
        stack.enter_context(script("bare_master", bare))
        measures = {
            "pretenders replay": load(ours.proxy_port),
            "pretenders replay, no fast lane": load(plain.proxy_port),
            "mitmdump --server-replay": load(dump),
            "bare mitmproxy Master": load(bare),
        }
        systems = in_turns(measures, options.runs, options.warmup, options.seconds)
    return verdict(systems)


def verdict(systems: dict[str, dict[str, Any]]) -> dict[str, Any]:
    ours = systems["pretenders replay"]
    versus = ratio(ours["requests_per_s"], systems["mitmdump --server-replay"]["requests_per_s"])
    bare = ratio(ours["requests_per_s"], systems["bare mitmproxy Master"]["requests_per_s"])
    lane = ratio(
        ours["requests_per_s"], systems["pretenders replay, no fast lane"]["requests_per_s"]
    )
    return {
        "systems": systems,
        "ratios": {
            "pretenders / mitmdump --server-replay": versus,
            "pretenders / bare mitmproxy Master": bare,
            "pretenders / pretenders with no fast lane": lane,
        },
        "targets": {
            ">= 2x mitmdump": versus >= 2,
            ">= 1.5x bare mitmproxy Master": bare >= 1.5,
            "p99_ms <= 60": ours["p99_ms"] <= 60,
        },
    }
