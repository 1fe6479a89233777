"""W1x: W1 against issue 20's baselines, at each `--connections` count (32 and 256).

pretenders' `/mockhttp/` reply and the same preset answered through the forward proxy
(absolute-form requests for http://api.example.test/items/42), against WireMock (the npm
package's standalone jar on Java 17, its JIT warmed until it settles, the same URL, body and
headers set through its admin API) and the bare asyncio floor (bench/peers/bare_asyncio.py);
all on the server core at once, measured in turns. The proxied preset runs at every count; at
the first also on a second server with --plain-mock-replies (no fast lane: through mitmproxy).
Targets: >= 1.0x WireMock and p99 < 5 ms, at every count for `/mockhttp/` and the proxied
preset. wrk is closed-loop: each connection's mean latency is count / rate, so p99 < 5 ms at
c=256 needs over 51,200 req/s (the JSON says each mean).
"""

import base64
import os
import subprocess
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from harness import Load, free_port, in_turns, proxy_script, ratio, wrk
from systems import PAYLOAD, call, pretenders, script
from w1_mock import PATH, PRESET, loader, setup_mock
from wiremock import VERSION, WireMock, java_version, warm_up, wiremock

TARGET, HOST = "http://api.example.test/items/42", "api.example.test"
PROXIED = {
    "rule": "GET /items/42",
    "host": HOST,
    "status": 200,
    "headers": {"Content-Type": "application/json"},
    "body": base64.b64encode(PAYLOAD).decode(),
}
STUB_HEADERS = {"Content-Type": "application/json", "Content-Length": str(len(PAYLOAD))}
"""Content-Length named: WireMock's default (`--use-chunked-encoding always`) sends a chunked
body unless the stub names its length; pretenders sends Content-Length, so both send it."""


def proxied(proxy_port: int, lua: str, connections: int) -> Callable[[float], Load]:
    url = f"http://127.0.0.1:{proxy_port}/"
    return lambda seconds: wrk(url, seconds=seconds, connections=connections, script=lua)


def start_wiremock(stack: ExitStack) -> tuple[dict[str, Any], WireMock | None]:
    """WireMock with the w1 stub and what it is, or why it did not run (no Java or npm)."""
    try:
        found = stack.enter_context(wiremock())
    except (OSError, RuntimeError, TimeoutError, subprocess.CalledProcessError) as e:
        return {"did not run": repr(e)}, None
    found.stub(PATH, PAYLOAD, STUB_HEADERS)
    return {"version": VERSION, "java": java_version(), "flags": found.flags}, found


Loader = Callable[[int], Callable[[float], Load]]
"""A system's load at a connection count."""


def measures(options: Any, systems: dict[str, Loader]) -> dict[str, Callable[[float], Load]]:
    """One load per system and connection count; the proxied preset without its fast lane
    (a tenth of the rate) at the first count only."""
    first = options.connection_counts[0]
    return {
        f"{name} c={count}": load(count)
        for count in options.connection_counts
        for name, load in systems.items()
        if count == first or "no fast lane" not in name
    }


def run(options: Any) -> dict[str, Any]:
    systems: dict[str, dict[str, Any]] = {}
    with ExitStack() as stack:
        p = stack.enter_context(
            pretenders("serve", confdir=Path(stack.enter_context(tempfile.TemporaryDirectory())))
        )
        setup_mock(p.control, [PRESET])
        call("POST", p.control + "/api/v1/presets", PROXIED)
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        plain = stack.enter_context(pretenders("serve", ["--plain-mock-replies"], confdir=folder))
        call("POST", plain.control + "/api/v1/presets", PROXIED)
        lua = proxy_script(TARGET, HOST)
        stack.callback(os.unlink, lua)
        loads: dict[str, Loader] = {
            "pretenders /mockhttp/": lambda count: loader(p.control + PATH, count),
            "pretenders proxied preset": lambda count: proxied(p.proxy_port, lua, count),
            "pretenders proxied preset, no fast lane": lambda count: proxied(
                plain.proxy_port, lua, count
            ),
        }
        about, mock = start_wiremock(stack)
        if mock is not None:
            loads["WireMock"] = lambda count: mock.cleared(loader(mock.url + PATH, count))
            warming = loads["WireMock"](options.connection_counts[0])
            about["jit_warm_up"] = warm_up(warming, mock.service.pid)
        else:
            systems["WireMock"] = about
        floor = free_port()
        stack.enter_context(script("bare_asyncio", floor))
        loads["bare asyncio floor"] = lambda count: loader(f"http://127.0.0.1:{floor}{PATH}", count)
        found = measures(options, loads)
        systems |= in_turns(found, options.runs, options.warmup, options.seconds)
    return {"wiremock": about, **verdict(systems, options.connection_counts)}


def verdict(systems: dict[str, dict[str, Any]], counts: list[int]) -> dict[str, Any]:
    """Ratios to WireMock and to the floor at each count, the issue's targets, and each mean
    latency (closed-loop: count / rate, what p99 cannot be below)."""
    rate = {name: figures.get("requests_per_s") for name, figures in systems.items()}
    ratios, targets, means = {}, {}, {}
    for count in counts:
        ours = [f"pretenders /mockhttp/ c={count}", f"pretenders proxied preset c={count}"]
        laneless = f"pretenders proxied preset, no fast lane c={count}"
        if rate.get(laneless) and rate.get(ours[1]):
            ratios[f"{ours[1]} / {laneless}"] = ratio(rate[ours[1]], rate[laneless])
        for mine in (name for name in ours if name in rate):
            means[mine] = round(count / rate[mine] * 1000, 2) if rate[mine] else None
            for base in (f"WireMock c={count}", f"bare asyncio floor c={count}"):
                if rate.get(base):
                    ratios[f"{mine} / {base}"] = ratio(rate[mine], rate[base])
            if f"{mine} / WireMock c={count}" in ratios:
                targets[f"{mine} >= 1.0x WireMock"] = ratios[f"{mine} / WireMock c={count}"] >= 1
            targets[f"{mine} p99 < 5 ms"] = systems[mine]["p99_ms"] < 5
    mean = "mean_latency_ms (count / rate)"
    return {"systems": systems, "ratios": ratios, "targets": targets, mean: means}
