"""WebSocket replay, a rough figure: messages a client gets answered per second, one at a time,
replaying a recorded conversation of N echoes through `pretenders replay`, against the bare
aiohttp echo it was recorded from, measured in the same run (median of --runs).

`./dev run python bench/ws_replay.py [--messages 2000] [--runs 3]`; result:
bench/results/ws_replay.json.
"""

import argparse
import asyncio
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from systems import pretenders

RESULTS = Path(__file__).parent / "results" / "ws_replay.json"


def echo_server() -> tuple[int, asyncio.AbstractEventLoop]:
    """A bare aiohttp WebSocket echo on a free port, in a thread of its own."""
    loop = asyncio.new_event_loop()
    started: list[int] = []

    async def echo(request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        async for message in socket:
            await socket.send_str(message.data)
        return socket

    async def start() -> None:
        app = web.Application()
        app.router.add_get("/echo", echo)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        started.append(runner.addresses[0][1])

    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        ready.set()
        loop.run_forever()

    threading.Thread(target=run, daemon=True).start()
    ready.wait(10)
    return started[0], loop


async def talk(url: str, proxy: str | None, count: int) -> float:
    """Messages per second: send `m<i>`, wait for its echo, `count` times."""
    async with (
        aiohttp.ClientSession() as client,
        client.ws_connect(url, proxy=proxy, compress=0) as socket,
    ):
        began = time.perf_counter()
        for i in range(count):
            await socket.send_str(f"m{i}")
            answer = await socket.receive_str(timeout=10)
            assert answer == f"m{i}", answer
        took = time.perf_counter() - began
    return count / took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    port, _ = echo_server()
    url, count = f"ws://127.0.0.1:{port}/echo", options.messages
    result: dict[str, Any] = {"messages": count, "runs": {"direct": [], "replay": []}}
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        cassette = folder / "ws.cassette"
        with pretenders("record", [str(cassette)], confdir=folder) as p:
            asyncio.run(talk(url, f"http://127.0.0.1:{p.proxy_port}", count))
        with pretenders("replay", [str(cassette)], confdir=folder) as p:
            for _ in range(options.runs):  # in turns: a machine getting busier moves both
                result["runs"]["direct"].append(asyncio.run(talk(url, None, count)))
                proxy = f"http://127.0.0.1:{p.proxy_port}"
                result["runs"]["replay"].append(asyncio.run(talk(url, proxy, count)))
    for name in ("direct", "replay"):
        result[name] = round(statistics.median(result["runs"][name]))
    result["ratio"] = round(result["replay"] / result["direct"], 3)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
