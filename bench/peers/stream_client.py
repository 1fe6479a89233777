"""The load of W7/W7r/W8, run on the load core; prints one JSON line of what it measured.

`sse URL --streams 32 [--proxy P] [--ca FILE]`: `streams` SSE streams at once; for each event,
the delay from the upstream's write (the time it carries) to its arrival here.
`replay URL --proxy P`: one SSE stream; when each event arrived, from the request.
`ws URL --streams 8 --messages 200 [--proxy P]`: each socket sends `messages` messages one at a
time and waits for each answer; messages answered per second, all sockets together.
"""

import argparse
import asyncio
import itertools
import json
import statistics
import time

import aiohttp


async def sse(url: str, streams: int, proxy: str | None) -> dict[str, object]:
    delays: list[float] = []

    async def one(client: aiohttp.ClientSession) -> None:
        async with client.get(url, proxy=proxy) as response:
            async for line in response.content:
                if line.startswith(b"data: "):
                    sent = float(line.split()[2])
                    delays.append((time.monotonic() - sent) * 1000)

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=300)) as client:
        await asyncio.gather(*(one(client) for _ in range(streams)))
    delays.sort()
    return {
        "events": len(delays),
        "median_ms": round(statistics.median(delays), 3),
        "p99_ms": round(delays[int(len(delays) * 0.99) - 1], 3),
        "max_ms": round(delays[-1], 3),
    }


async def replay(url: str, proxy: str | None) -> dict[str, object]:
    arrivals: list[float] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=300)) as client:
        start = time.monotonic()
        async with client.get(url, proxy=proxy) as response:
            async for line in response.content:
                if line.startswith(b"data: "):
                    arrivals.append(time.monotonic() - start)
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    return {
        "events": len(arrivals),
        "total_s": round(arrivals[-1], 4) if arrivals else None,
        "median_gap_ms": round(statistics.median(gaps) * 1000, 3) if gaps else None,
    }


async def ws(url: str, streams: int, messages: int, proxy: str | None) -> dict[str, object]:
    async def one(client: aiohttp.ClientSession) -> int:
        answered = 0
        async with client.ws_connect(url, proxy=proxy) as socket:
            for i in range(messages):
                await socket.send_str(f"message {i}")
                if (await socket.receive()).type is aiohttp.WSMsgType.TEXT:
                    answered += 1
        return answered

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=300)) as client:
        start = time.monotonic()
        answered = sum(await asyncio.gather(*(one(client) for _ in range(streams))))
        seconds = time.monotonic() - start
    return {"answered": answered, "seconds": round(seconds, 3),
            "messages_per_s": round(answered / seconds, 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["sse", "replay", "ws"])
    parser.add_argument("url")
    parser.add_argument("--proxy")
    parser.add_argument("--streams", type=int, default=32)
    parser.add_argument("--messages", type=int, default=200)
    options = parser.parse_args()
    if options.kind == "sse":
        found = asyncio.run(sse(options.url, options.streams, options.proxy))
    elif options.kind == "replay":
        found = asyncio.run(replay(options.url, options.proxy))
    else:
        found = asyncio.run(ws(options.url, options.streams, options.messages, options.proxy))
    print(json.dumps(found))


if __name__ == "__main__":
    main()
