"""Paced replay's accuracy: `python bench/paced_gaps.py [--runs 5]` (bench/w7r_paced.py is the
W7r workload, recorded through `pretenders record`; this writes the cassette itself).

A cassette holds one 100-event stream recorded 20 ms apart (1.98 s from the first event to the
last) and one of 5 events 0.3 s apart. One `pretenders replay` serves both; one session replays
at speed 0 (the default), one at 1, one at 2 (`replay_speed`). An aiohttp client reads the events
as an SSE client does and notes when each arrives. Targets: at speed 1 every gap within 20% of
the recorded one; at speed 0 the 100 events in under a tenth of the recorded time.
"""

import argparse
import asyncio
import json
import statistics
import tempfile
from itertools import pairwise
from pathlib import Path
from typing import Any

import aiohttp
from systems import call, pretenders

from pretenders_proxy.cassette.writing import write
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Request, Response

STREAMS = {"/many": (100, 0.02), "/few": (5, 0.3)}
"""Path: (events, seconds between them)."""


def stream(count: int, gap: float) -> Response:
    events = [b"data: %d\n\n" % i for i in range(count)]
    timing = tuple((i * gap, len(event)) for i, event in enumerate(events))
    headers = ((b"Content-Type", b"text/event-stream"),)
    return Response(200, headers, b"".join(events), chunks=timing)


async def arrivals(proxy: str, path: str) -> list[float]:
    """When each event arrived, in seconds after the request was sent."""
    loop = asyncio.get_running_loop()
    times, start = [], loop.time()
    async with (
        aiohttp.ClientSession() as client,
        client.get(f"http://api.test{path}", proxy=proxy) as answer,
    ):
        while await answer.content.readuntil(b"\n\n"):
            times.append(loop.time())
    return [at - start for at in times]


def figures(times: list[float], gap: float) -> dict[str, float]:
    """The time to the last event, and how far the gaps were from `gap` (0: not paced)."""
    errors = [abs(b - a - gap) for a, b in pairwise(times)]
    shown = {"total_s": round(times[-1], 4)}
    if gap:
        shown |= {
            "gap_error_median_ms": round(1000 * statistics.median(errors), 2),
            "gap_error_max_ms": round(1000 * max(errors), 2),
            "gap_error_max_pct": round(100 * max(errors) / gap, 1),
        }
    return shown


async def measure(p: Any, cassette: Path, runs: int) -> dict[str, Any]:
    systems: dict[str, Any] = {}
    for speed in (0, 1, 2):
        name = f"speed-{speed}"
        mode = {"mode": "replay", "cassettes": [str(cassette)], "replay_speed": speed}
        call("PUT", f"{p.control}/api/v1/mode?session={name}", mode)
        proxy = f"http://{name}:x@127.0.0.1:{p.proxy_port}"
        for path, (_, gap) in STREAMS.items():
            kept = [
                figures(await arrivals(proxy, path), gap / speed if speed else 0)
                for _ in range(runs)
            ]
            systems[f"{path[1:]} at speed {speed}"] = {
                key: statistics.median(run[key] for run in kept) for key in kept[0]
            }
    return systems


def run(options: Any) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        cassette = folder / "w7r.cassette"
        write(
            cassette,
            [
                Exchange(Request("GET", path.encode(), host="api.test", port=80), stream(*shape))
                for path, shape in STREAMS.items()
            ],
        )
        args = ["--cassette-dir", str(folder), str(cassette)]
        with pretenders("replay", args, confdir=folder) as p:
            systems = asyncio.run(measure(p, cassette, max(options.runs, 3)))
    recorded = (STREAMS["/many"][0] - 1) * STREAMS["/many"][1]
    unpaced = systems["many at speed 0"]["total_s"]
    paced = systems["many at speed 1"]["total_s"]
    return {
        "systems": systems,
        "ratios": {"many: paced (speed 1) / unpaced time": round(paced / unpaced, 1)},
        "targets": {
            "speed 1 gaps within 20%": systems["few at speed 1"]["gap_error_max_pct"] <= 20,
            "speed 0 under a tenth of the recorded time": unpaced < recorded / 10,
        },
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per stream (median kept)")
    print(json.dumps(run(parser.parse_args()), indent=2))
