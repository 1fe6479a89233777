"""The streaming upstream of W7/W7r/W8: `/sse?n=20&gap=0.05` sends `n` events, each carrying
the time.monotonic() it was written at (CLOCK_MONOTONIC is one clock for every process on the
machine); `/ws` echoes every message (the W8 baseline when fetched directly)."""

import asyncio
import sys
import time

from aiohttp import WSMsgType, web


async def sse(request: web.Request) -> web.StreamResponse:
    n, gap = int(request.query.get("n", "20")), float(request.query.get("gap", "0.05"))
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    for i in range(n):
        if i:
            await asyncio.sleep(gap)
        await response.write(b"data: %d %.6f\n\n" % (i, time.monotonic()))
    await response.write_eof()
    return response


async def ws(request: web.Request) -> web.WebSocketResponse:
    socket = web.WebSocketResponse()
    await socket.prepare(request)
    async for message in socket:
        if message.type is WSMsgType.TEXT:
            await socket.send_str(message.data)
        elif message.type is WSMsgType.BINARY:
            await socket.send_bytes(message.data)
    return socket


app = web.Application()
app.router.add_get("/sse", sse)
app.router.add_get("/ws", ws)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
