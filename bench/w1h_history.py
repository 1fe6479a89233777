"""W1h: w1's `/mockhttp/` preset reply from a session with `record_history: false` (issue 20,
load tests that never verify), against the same server's session that keeps history.

Both sessions live in one pretenders and are measured in turns (A, B, A, B), with the bare
aiohttp route, and the bare asyncio floor when bench/peers/bare_asyncio.py is there (issue
20's target: history off >= 0.5 of that floor), at each `--connections` count: at c=256 the
p99 of history off (nothing kept) against the floor's says how low a tail this machine lets
any mock reach (W1x's p99 < 5 ms). `--store redis`: on w9's redis-server.
"""

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness import free_port, in_turns, ratio
from redis_run import redis_server
from systems import BENCH, call, pretenders, script
from w1_mock import PRESET, loader, setup_mock

LOUD, QUIET = "bench", "quiet"
FLOOR = "bare_asyncio"
OFF, FLOOR_NAME = "pretenders, history off", FLOOR.replace("_", " ")


def run(options: Any) -> dict[str, Any]:
    with contextlib.ExitStack() as stack:
        confdir = stack.enter_context(tempfile.TemporaryDirectory())
        args = stack.enter_context(_store(getattr(options, "store", "memory")))
        p = stack.enter_context(pretenders("serve", args, confdir=Path(confdir)))
        urls = {}
        for name in (QUIET, LOUD):
            setup_mock(p.control, [PRESET], name)
            urls[OFF if name == QUIET else "pretenders, history on"] = (
                f"{p.control}/mockhttp/{name}/items/42"
            )
        body = {"name": QUIET, "record_history": False}
        call("POST", p.control + "/api/v1/sessions", body)
        for peer in ("bare_aiohttp", FLOOR):
            if (BENCH / "peers" / f"{peer}.py").exists():
                port = free_port()
                stack.enter_context(script(peer, port))
                urls[peer.replace("_", " ")] = f"http://127.0.0.1:{port}/mockhttp/bench/items/42"
        counts = options.connection_counts
        systems = {}
        for count in counts:
            measures = {_at(name, count): loader(url, count) for name, url in urls.items()}
            systems |= in_turns(measures, options.runs, options.warmup, options.seconds)
        quiet = call("GET", f"{p.control}/api/v1/sessions/{QUIET}")
    return _result(systems, counts, quiet)


def _at(name: str, count: int) -> str:
    return f"{name}, c={count}"


@contextlib.contextmanager
def _store(kind: str) -> Iterator[list[str]]:
    if kind != "redis":
        yield []
        return
    with redis_server() as redis:
        yield ["--store", redis.url]


def _result(systems: dict[str, Any], counts: list[int], quiet: Any) -> dict[str, Any]:
    ratios, targets = {}, {}
    for count in counts:
        off = systems[_at(OFF, count)]["requests_per_s"]
        for name, figures in systems.items():
            if name.endswith(f", c={count}") and name != _at(OFF, count):
                ratios[f"history off / {name}"] = ratio(off, figures["requests_per_s"])
        if _at(FLOOR_NAME, count) in systems:
            targets[f"history off >= 0.5 of the bare asyncio floor, c={count}"] = (
                ratios[f"history off / {_at(FLOOR_NAME, count)}"] >= 0.5
            )
    return {
        "systems": systems,
        "ratios": ratios,
        "targets": targets,
        "quiet_session": {k: quiet[k] for k in ("record_history", "requests", "requests_seen")},
    }
