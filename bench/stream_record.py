"""Server-sent events through `pretenders record`: what the proxy adds to each event's latency.

    python bench/stream_record.py [--runs 3] [--streams 1 32] [--events 20] [--gap 0.1]

A local aiohttp SSE upstream (its own process) writes `--events` events `--gap` s apart, each
carrying time.monotonic() of its write (one clock for every process here). For each count of
concurrent streams, the streams are read directly, then through a fresh `pretenders record`
(the cassette in a temporary directory, read back to check every stream was recorded whole);
each event's latency is its arrival minus its write. Added latency: the proxied median (and
max) minus the direct median. Results: bench/results/stream_record.json. Loopback only.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))

import aiohttp
from aiohttp import web
from harness import PYTHON, free_port, machine, service, write

from pretenders_proxy.cassette.reading import read
from pretenders_proxy.testing.launcher import launch


async def _sse(request: web.Request) -> web.StreamResponse:
    n, gap = int(request.query["n"]), float(request.query["gap"])
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    for i in range(n):
        if i:
            await asyncio.sleep(gap)
        await response.write(b"data: %r\n\n" % time.monotonic())
    await response.write_eof()
    return response


def serve(port: int) -> None:
    app = web.Application()
    app.router.add_get("/sse", _sse)
    web.run_app(app, host="127.0.0.1", port=port, print=None)


async def _stream(client: aiohttp.ClientSession, url: str, proxy: str | None) -> list[float]:
    latencies = []
    async with client.get(url, proxy=proxy) as answer:
        async for line in answer.content:
            if line.startswith(b"data: "):
                latencies.append(time.monotonic() - float(line[6:]))
    return latencies


async def _streams(url: str, proxy: str | None, count: int) -> list[float]:
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as client:
        found = await asyncio.gather(*(_stream(client, url, proxy) for _ in range(count)))
    return [latency for stream in found for latency in stream]


def _ms(values: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(values) * 1000, 3),
        "max_ms": round(max(values) * 1000, 3),
    }


def measure(url: str, count: int, events: int) -> dict[str, object]:
    direct = asyncio.run(_streams(url, None, count))
    with tempfile.TemporaryDirectory() as where:
        cassette = Path(where) / "sse.cassette"
        with launch([str(cassette)], confdir=Path(where), command="record") as recorder:
            proxied = asyncio.run(_streams(url, recorder.proxy, count))
        recorded = [stored.exchange.response for stored in read(cassette).exchanges]
    assert len(direct) == len(proxied) == count * events, (len(direct), len(proxied))
    assert len(recorded) == count and all(len(r.chunks) == events for r in recorded)
    base = statistics.median(direct)
    return {
        "streams": count,
        "direct": _ms(direct),
        "proxied": _ms(proxied),
        "added_median_ms": round((statistics.median(proxied) - base) * 1000, 3),
        "added_max_ms": round((max(proxied) - base) * 1000, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--streams", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--gap", type=float, default=0.1)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    port = free_port()
    url = f"http://127.0.0.1:{port}/sse?n={args.events}&gap={args.gap}"
    result: dict[str, object] = {"machine": machine(), "events": args.events, "gap": args.gap}
    runs = []
    with service("sse-upstream", [PYTHON, __file__, "--serve", str(port)], port=port):
        for run in range(args.runs):
            for count in args.streams:
                found = measure(url, count, args.events)
                runs.append({"run": run, **found})
                print(found, flush=True)
    result["runs"] = runs
    print(write("stream_record", result))


if __name__ == "__main__":
    main()
