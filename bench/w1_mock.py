"""W1: a preset reply from a named 1.4 mock, `/mockhttp/<name>/items/42`, keep-alive, c=32.

Compared in the same run with a bare aiohttp route serving the same body (the floor of the
stack pretenders' control port is built on) and the bare asyncio floor (bench/peers/
bare_asyncio.py: a Protocol writing the same reply's bytes, what Python costs on one core); the
three run at once and are measured in turns. Then the original pretenders 1.4.5 server.
W1x (w1x_baselines.py) measures WireMock, the proxied preset and c=256.
Target: >= 10,000 req/s with p99 < 10 ms.
"""

import base64
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness import Load, free_port, in_turns, median_load, ratio, wrk
from systems import PAYLOAD, call, original_pretenders, pretenders, script

PATH = "/mockhttp/bench/items/42"
PRESET = {
    "rule": {"rule": "GET /items/42", "headers": {}, "body": None, "data": None},
    "status": 200,
    "headers": {"Content-Type": "application/json"},
    "body": base64.b64encode(PAYLOAD).decode(),
    "times": "FOREVER",
    "after": 0,
}


def measure(url: str, options: Any) -> dict[str, Any]:
    wrk(url, seconds=options.warmup, connections=options.connections)
    return median_load(
        options.runs, lambda: wrk(url, seconds=options.seconds, connections=options.connections)
    )


def loader(url: str, connections: int) -> Callable[[float], Load]:
    """One wrk run of `seconds` against `url`, for harness.in_turns."""
    return lambda seconds: wrk(url, seconds=seconds, connections=connections)


def setup_mock(control: str, presets: list[dict[str, Any]], name: str = "bench") -> None:
    call("POST", control + "/http", {"name": name, "pretender_timeout": "FOREVER"})
    for preset in presets:
        call("POST", f"{control}/preset/{name}", preset)


def run(options: Any) -> dict[str, Any]:
    systems: dict[str, dict[str, Any]] = {}
    port, floor = free_port(), free_port()
    with (
        tempfile.TemporaryDirectory() as confdir,
        pretenders("serve", confdir=Path(confdir)) as p,
        script("bare_aiohttp", port),
        script("bare_asyncio", floor),
    ):
        setup_mock(p.control, [PRESET])
        urls = {
            "pretenders": p.control + PATH,
            "bare aiohttp route": f"http://127.0.0.1:{port}{PATH}",
            "bare asyncio floor": f"http://127.0.0.1:{floor}{PATH}",
        }
        systems |= in_turns(
            {name: loader(url, options.connections) for name, url in urls.items()},
            options.runs,
            options.warmup,
            options.seconds,
        )
    port = free_port()
    try:
        with original_pretenders(port):
            setup_mock(f"http://127.0.0.1:{port}", [PRESET])
            systems["pretenders 1.4.5"] = measure(f"http://127.0.0.1:{port}{PATH}", options)
    except (OSError, RuntimeError, TimeoutError) as e:
        systems["pretenders 1.4.5"] = {"did not run": repr(e)}
    ours = systems["pretenders"]
    return {
        "systems": systems,
        "ratios": {
            f"pretenders / {name}": ratio(ours["requests_per_s"], figures["requests_per_s"])
            for name, figures in systems.items()
            if name != "pretenders" and "requests_per_s" in figures
        },
        "targets": {
            "requests_per_s >= 10000": ours["requests_per_s"] >= 10_000,
            "p99_ms < 10": ours["p99_ms"] < 10,
        },
    }
