"""How the control API is served inside mitmproxy's loop: no signal handlers, no exit calls."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage, LineTooLong
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

from pretenders_proxy.errors import ListenError
from pretenders_proxy.server.binding import describe_bind_error


@dataclass(eq=False)
class ApiServer:
    runner: web.AppRunner
    server: asyncio.Server

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.server.sockets[0].getsockname()[:2]
        return host, port

    def close(self) -> None:
        """Stop accepting connections now (synchronous, for mitmproxy's `done`)."""
        self.server.close()

    async def cleanup(self) -> None:
        self.server.close()
        await self.runner.cleanup()


async def start(
    app: web.Application,
    host: str,
    port: int,
    prepare: Callable[[web.Server], None] | None = None,
) -> ApiServer:
    """Listen on host:port; a busy port raises ListenError naming it.

    `prepare` may change the aiohttp server before it takes its first connection."""
    # Long-polls and event streams must not hold up a shutdown for aiohttp's default minute.
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    manager = runner.server
    if manager is None:  # setup() always makes one; this narrows the type
        raise RuntimeError("aiohttp runner has no server after setup")
    if prepare is not None:
        prepare(manager)
    loop = asyncio.get_running_loop()

    def connection() -> RequestHandler:
        return _Connection(manager, loop=loop, access_log=None)  # type: ignore[arg-type]

    try:
        server = await loop.create_server(connection, host, port, reuse_address=True)
    except OSError as e:
        await runner.cleanup()
        raise ListenError(describe_bind_error("control API", host, port, e)) from e
    return ApiServer(runner, server)


class _Connection(RequestHandler):
    """aiohttp's connection handler, answering a request head over its limits (8190 bytes a
    line, 128 headers) with 431 Request Header Fields Too Large instead of a plain 400."""

    __slots__ = ()

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
