"""W1h: w1's `/mockhttp/` preset reply from a session with `record_history: false` (issue 20,
load tests that never verify), against the same server's session that keeps history.

Both sessions live in one pretenders and are measured in turns (A, B, A, B), with the bare
aiohttp route, and the bare asyncio floor when bench/peers/bare_asyncio.py is there (issue
20's target: history off >= 0.5 of that floor). `--store redis`: on w9's redis-server.
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


def run(options: Any) -> dict[str, Any]:
    with contextlib.ExitStack() as stack:
        confdir = stack.enter_context(tempfile.TemporaryDirectory())
        args = stack.enter_context(_store(getattr(options, "store", "memory")))
        p = stack.enter_context(pretenders("serve", args, confdir=Path(confdir)))
        urls = {}
        for name in (QUIET, LOUD):
            setup_mock(p.control, [PRESET], name)
            urls[f"pretenders, history {'off' if name == QUIET else 'on'}"] = (
                f"{p.control}/mockhttp/{name}/items/42"
            )
        body = {"name": QUIET, "record_history": False}
        call("POST", p.control + "/api/v1/sessions", body)
        for peer in ("bare_aiohttp", FLOOR):
            if (BENCH / "peers" / f"{peer}.py").exists():
                port = free_port()
                stack.enter_context(script(peer, port))
                urls[peer.replace("_", " ")] = f"http://127.0.0.1:{port}/mockhttp/bench/items/42"
        systems = in_turns(
            {name: loader(url, options.connections) for name, url in urls.items()},
            options.runs,
            options.warmup,
            options.seconds,
        )
        quiet = call("GET", f"{p.control}/api/v1/sessions/{QUIET}")
    return _result(systems, quiet)


@contextlib.contextmanager
def _store(kind: str) -> Iterator[list[str]]:
    if kind != "redis":
        yield []
        return
    with redis_server() as redis:
        yield ["--store", redis.url]


def _result(systems: dict[str, Any], quiet: Any) -> dict[str, Any]:
    off = systems["pretenders, history off"]["requests_per_s"]
    ratios = {
        f"history off / {name}": ratio(off, figures["requests_per_s"])
        for name, figures in systems.items()
        if name != "pretenders, history off"
    }
    targets = {}
    if "bare asyncio" in systems:
        targets["history off >= 0.5 of the bare asyncio floor"] = (
            ratios["history off / bare asyncio"] >= 0.5
        )
    return {
        "systems": systems,
        "ratios": ratios,
        "targets": targets,
        "quiet_session": {k: quiet[k] for k in ("record_history", "requests", "requests_seen")},
    }
