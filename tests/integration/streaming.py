"""A local streaming upstream (aiohttp in a thread of its own): server-sent events, a slow
chunked body and a WebSocket, plain or TLS; it notes when it sent each piece, so tests can
compare what a client saw with what the upstream did.

- `GET /sse?n=5&gap=0.5`: `n` events `data: <i>` (`id: <i>`), `gap` seconds apart; `n=0`: until
  the client goes (`sse_closed` is set then).
- `GET /chunked?n=3&gap=0.2`: `n` chunks `piece <i>\\n` of a `text/plain` body, `gap` apart.
- `GET /ws`: a WebSocket that says `welcome` first, answers a text `X` with `echo: X`, a binary
  message with its bytes reversed, `twice` with two messages `one` and `two`, and `bye` by
  closing with 1000 `bye`.
"""

import asyncio
import ssl
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web

from tests.integration.tlsca import LocalCA


@dataclass
class Sent:
    """What the upstream sent and when (time.monotonic() of each write), per path."""

    times: dict[str, list[float]] = field(default_factory=dict)

    def note(self, path: str) -> None:
        self.times.setdefault(path, []).append(time.monotonic())


class StreamingUpstream:
    """Serves on 127.0.0.1 until `stop()`; `connections` counts accepted connections."""

    def __init__(self, ca: LocalCA | None = None) -> None:
        self.sent = Sent()
        self.connections = 0
        self.sse_closed = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._tls: ssl.SSLContext | None = None
        if ca is not None:
            self._tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._tls.load_cert_chain(ca.server_cert, ca.server_key)
        self._runner: web.AppRunner | None = None
        started = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(started,), daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("the streaming upstream did not start")
        self.scheme = "https" if ca is not None else "http"
        self.url = f"{self.scheme}://127.0.0.1:{self.port}"
        self.ws_url = f"{'wss' if ca is not None else 'ws'}://127.0.0.1:{self.port}/ws"

    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._start())
        started.set()
        self._loop.run_forever()

    async def _start(self) -> None:
        app = web.Application(middlewares=[self._count])
        app.router.add_get("/sse", self._sse)
        app.router.add_get("/chunked", self._chunked)
        app.router.add_get("/ws", self._ws)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self._tls)
        await site.start()
        self.port = self._runner.addresses[0][1]

    @web.middleware
    async def _count(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if request.transport is not None and not getattr(request.transport, "_counted", False):
            request.transport._counted = True  # type: ignore[attr-defined]
            self.connections += 1
        return await handler(request)

    async def _sse(self, request: web.Request) -> web.StreamResponse:
        n, gap = int(request.query.get("n", "5")), float(request.query.get("gap", "0.5"))
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        response.headers["Cache-Control"] = "no-cache"
        await response.prepare(request)
        i = 0
        try:
            while n == 0 or i < n:
                if i:
                    await asyncio.sleep(gap)
                await response.write(b"id: %d\ndata: %d\n\n" % (i, i))
                self.sent.note("/sse")
                i += 1
            await response.write_eof()
        except (ConnectionResetError, asyncio.CancelledError):
            self.sse_closed.set()
            raise
        return response

    async def _chunked(self, request: web.Request) -> web.StreamResponse:
        n, gap = int(request.query.get("n", "3")), float(request.query.get("gap", "0.2"))
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for i in range(n):
            if i:
                await asyncio.sleep(gap)
            await response.write(b"piece %d\n" % i)
            self.sent.note("/chunked")
        await response.write_eof()
        return response

    async def _ws(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_str("welcome")
        async for message in socket:
            if message.type is WSMsgType.TEXT and message.data == "bye":
                await socket.close(code=1000, message=b"bye")
            elif message.type is WSMsgType.TEXT and message.data == "twice":
                await socket.send_str("one")
                await socket.send_str("two")
            elif message.type is WSMsgType.TEXT:
                await socket.send_str(f"echo: {message.data}")
            elif message.type is WSMsgType.BINARY:
                await socket.send_bytes(bytes(reversed(message.data)))
        return socket

    def stop(self) -> None:
        """Stop serving (once: a test may stop it before its fixture does)."""
        if self._loop.is_closed():
            return

        async def cleanup() -> None:
            if self._runner is not None:
                await self._runner.cleanup()
            await asyncio.sleep(0.1)  # closed transports finish closing (TLS takes a few turns)

        asyncio.run_coroutine_threadsafe(cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
