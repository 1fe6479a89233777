"""How the control API is served inside mitmproxy's loop: no signal handlers, no exit calls;
each connection bounded in time (request heads, idleness) and in number."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage, LineTooLong
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

from pretenders_proxy.errors import ListenError
from pretenders_proxy.server.binding import describe_bind_error
from pretenders_proxy.server.gate import Gate, http_refusal

if TYPE_CHECKING:
    from pretenders_proxy.api.mocks import Decided

HEAD_TIMED_OUT = b"the request head did not arrive within %gs (--header-timeout)\n"


@dataclass(frozen=True, slots=True)
class Limits:
    """What one control connection may take: seconds for a request head once it has begun,
    seconds silent between requests, and how many connections at once."""

    header_timeout: float = 60.0
    idle_timeout: float = 75.0
    max_connections: int = 512


class Lanes(Protocol):
    """A fast lane taking connections before aiohttp does (fastlane.Lane)."""

    def connection(
        self, handler: Callable[[], "Connection"], gate: Gate, idle: float
    ) -> asyncio.Protocol: ...

    def close(self) -> None: ...


@dataclass(eq=False)
class ApiServer:
    runner: web.AppRunner
    server: asyncio.Server
    lane: Lanes | None = None

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.server.sockets[0].getsockname()[:2]
        return host, port

    def close(self) -> None:
        """Stop accepting connections now (synchronous, for mitmproxy's `done`)."""
        self.server.close()

    async def cleanup(self) -> None:
        self.server.close()
        if self.lane is not None:
            self.lane.close()
        await self.runner.cleanup()


async def start(
    app: web.Application,
    host: str,
    port: int,
    prepare: Callable[[web.Server], None] | None = None,
    limits: Limits = Limits(),
    lane: Lanes | None = None,
    reuse_port: bool = False,
) -> ApiServer:
    """Listen on host:port; a busy port raises ListenError naming it.

    `prepare` may change the aiohttp server before it takes its first connection; `lane`, if
    any, takes each connection first and hands it to aiohttp when it cannot answer;
    `reuse_port` shares the port with the other processes of --workers (SO_REUSEPORT)."""
    # Long-polls and event streams must not hold up a shutdown for aiohttp's default minute.
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    manager = runner.server
    if manager is None:  # setup() always makes one; this narrows the type
        raise RuntimeError("aiohttp runner has no server after setup")
    if prepare is not None:
        prepare(manager)
    loop = asyncio.get_running_loop()
    gate = Gate("control port", limits.max_connections, b"")
    gate.refusal = http_refusal(gate.name, gate.cap)

    def handler() -> Connection:
        # aiohttp's keep-alive timer closes a connection waiting for its next request, from
        # the moment it is accepted; a request being answered (a long-poll) is never idle.
        made = Connection(
            manager,
            loop=loop,
            access_log=None,  # type: ignore[arg-type]
            keepalive_timeout=limits.idle_timeout,
        )
        made.limit(gate, limits.header_timeout)
        return made

    def connection() -> asyncio.Protocol:
        if not gate.admit():
            return gate.refuse()
        if lane is not None:
            return lane.connection(handler, gate, limits.idle_timeout)
        return handler()

    try:
        server = await loop.create_server(
            connection, host, port, reuse_address=True, reuse_port=reuse_port or None
        )
    except OSError as e:
        await runner.cleanup()
        raise ListenError(describe_bind_error("control API", host, port, e)) from e
    return ApiServer(runner, server, lane)


class Connection(RequestHandler):
    """aiohttp's connection handler, answering a request head over its limits (8190 bytes a
    line, 128 headers) with 431 Request Header Fields Too Large instead of a plain 400, and one
    that has begun but is not complete within the header timeout with 408 (aiohttp has no such
    timeout: a head sent a byte at a time would hold the connection until the idle timeout).

    Relies on aiohttp's RequestHandler keeping `_waiter` (pending while it waits for a request),
    `_messages` (requests parsed, not yet handled), `_keepalive_timeout` and `_loop` (3.10 to
    3.14 alike)."""

    __slots__ = ("_first_wait", "_gate", "_head_timeout", "_head_timer", "decided")

    def limit(self, gate: Gate, head_timeout: float) -> None:
        self.decided: Decided | None = None  # the fast lane's, for the request it hands over
        self._gate: Gate | None = gate
        self._head_timeout = head_timeout
        self._head_timer: asyncio.TimerHandle | None = None
        self._first_wait: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        # aiohttp 3.10 starts its own idle timer only at the first answer (3.14 at once): a
        # connection that never sends a whole request is timed here, whatever the version.
        self._first_wait = self._loop.call_later(self._keepalive_timeout, self._idle_at_first)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self._waiting_for_head():
            self._stop_timers()
        elif data and self._head_timer is None:
            self._head_timer = self._loop.call_later(self._head_timeout, self._head_timed_out)

    def connection_lost(self, exc: BaseException | None) -> None:
        self._stop_timers()
        if self._gate is not None:
            self._gate.leave()
            self._gate = None
        super().connection_lost(exc)

    def _waiting_for_head(self) -> bool:
        """Between requests, with no complete request queued (the waiter is aiohttp's)."""
        return self._waiter is not None and not self._waiter.done() and not self._messages

    def _stop_timers(self) -> None:
        for timer in (self._head_timer, self._first_wait):
            if timer is not None:
                timer.cancel()
        self._head_timer = self._first_wait = None

    def _idle_at_first(self) -> None:
        self._first_wait = None
        if self._waiting_for_head():
            self.force_close()

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._waiting_for_head() and self.transport is not None:
            body = HEAD_TIMED_OUT % self._head_timeout
            head = b"HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\n"
            head += b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
            self.transport.write(head + body)
            self.force_close()

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if status == 400 and _is_oversized_head(exc):
            status = 431
        return super().handle_error(request, status, exc, message)


def _is_oversized_head(error: BaseException | None) -> bool:
    return isinstance(error, LineTooLong) or (
        isinstance(error, BadHttpMessage) and "Too many headers" in str(error)
    )
