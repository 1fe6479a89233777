"""SMTP listeners in the one event loop: the capture port, and one port per 1.4 SMTP mock."""

import asyncio
import errno
import logging
import ssl
from collections.abc import Callable
from functools import partial

from aiosmtpd.smtp import SMTP

from pretenders_proxy._version import __version__
from pretenders_proxy.errors import ListenError
from pretenders_proxy.server.binding import describe_bind_error, netloc
from pretenders_proxy.server.gate import Gate, smtp_refusal
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.settings import ANY_PORT, is_loopback
from pretenders_proxy.smtp.handler import CaptureHandler, accept_any

logger = logging.getLogger(__name__)
HOSTNAME = "pretenders"
# RFC 5321 allows 1000 octets a line, but apps do send longer HTML lines and real servers
# take them; a mock that refused them would fail tests for the wrong reason.
LINE_LENGTH_LIMIT = 64 * 1024
_BUSY = {errno.EADDRINUSE, errno.EACCES}

type Factory = Callable[[CaptureHandler], CaptureSMTP]


class CaptureSMTP(SMTP):
    """aiosmtpd's SMTP with a longer line limit (a class attribute it reads in __init__),
    counted out of its listener's Gate when the connection goes."""

    line_length_limit = LINE_LENGTH_LIMIT
    gate: Gate | None = None

    def connection_lost(self, error: Exception | None) -> None:
        if self.gate is not None:
            self.gate.leave()
            self.gate = None
        super().connection_lost(error)


def smtp_factory(runtime: Runtime, tls: ssl.SSLContext | None) -> Factory:
    """How each connection's SMTP protocol is made, from the settings as they are now."""
    settings = runtime.settings
    return partial(
        CaptureSMTP,
        hostname=HOSTNAME,
        ident=f"pretenders {__version__} ESMTP",
        data_size_limit=settings.smtp_max_size,
        enable_SMTPUTF8=True,
        decode_data=False,
        tls_context=tls,
        authenticator=accept_any,
        # AUTH in clear text is fine where nobody else can listen.
        auth_require_tls=not is_loopback(settings.host),
        # aiosmtpd's default is 300 s; it restarts at each command, so it also bounds a
        # command line sent a byte at a time.
        timeout=settings.idle_timeout,
        loop=asyncio.get_running_loop(),
    )


class SmtpListeners:
    """The capture listener (`--smtp-port`) and the listeners of SMTP mocks, by session name.

    A mock's listener closes, freeing its port, as soon as its session is deleted or expires.
    """

    def __init__(self, runtime: Runtime, tls: ssl.SSLContext | None) -> None:
        self.runtime = runtime
        self.tls = tls
        self.capture: asyncio.Server | None = None
        self.mocks: dict[str, asyncio.Server] = {}

    async def start(self) -> None:
        """Listen on the capture port; raises ListenError when it is taken."""
        host, port = self.runtime.settings.host, self.runtime.settings.smtp_port
        try:
            shared = self.runtime.settings.workers > 1  # --workers: every one on this port
            self.capture = await self._listen(CaptureHandler(self.runtime), port, shared)
        except OSError as e:
            raise ListenError(describe_bind_error("SMTP", host, port, e)) from e
        bound_host, bound_port = self.capture.sockets[0].getsockname()[:2]
        self.runtime.listeners["smtp"] = "smtp://" + netloc(bound_host, bound_port)
        self.runtime.store.on_delete.append(self._deleted)

    async def open_mock(self, name: str) -> int:
        """The port of session `name`'s listener, started on a free port of the range if needed."""
        if (server := self.mocks.get(name)) is not None:
            return _port(server)
        low, high = self.runtime.settings.smtp_port_range
        taken = {_port(s) for s in self.mocks.values()} if (low, high) != ANY_PORT else set()
        for port in range(low, high + 1):
            if port in taken:
                continue
            try:
                server = await self._listen(CaptureHandler(self.runtime, name), port)
            except OSError as e:
                if e.errno in _BUSY:
                    continue
                host = self.runtime.settings.host
                raise ListenError(describe_bind_error("SMTP mock", host, port, e)) from e
            self.mocks[name] = server
            return _port(server)
        raise ListenError(
            f"no free port for a new SMTP mock in {low}-{high} ({len(self.mocks)} mocks live): "
            "delete some (DELETE /smtp/<id>) or widen --smtp-port-range"
        )

    async def _listen(
        self, handler: CaptureHandler, port: int, shared: bool = False
    ) -> asyncio.Server:
        factory = smtp_factory(self.runtime, self.tls)
        cap = self.runtime.settings.max_connections
        listener = f"SMTP mock {handler.session}" if handler.session else "SMTP port"
        gate = Gate(listener, cap, smtp_refusal(cap))

        def connection() -> asyncio.Protocol:
            if not gate.admit():
                return gate.refuse()
            protocol = factory(handler)
            protocol.gate = gate
            return protocol

        loop = asyncio.get_running_loop()
        host = self.runtime.settings.host
        return await loop.create_server(connection, host, port, reuse_port=shared or None)

    def _deleted(self, name: str) -> None:
        if (server := self.mocks.pop(name, None)) is not None:
            port = _port(server)
            server.close()
            logger.info("SMTP mock %s stopped; port %d is free", name, port)

    def close(self) -> None:
        """Stop every listener now (synchronous, for mitmproxy's `done`)."""
        if self._deleted in self.runtime.store.on_delete:
            self.runtime.store.on_delete.remove(self._deleted)
        for server in [self.capture, *self.mocks.values()]:
            if server is not None:
                server.close()
        self.capture = None
        self.mocks.clear()


def _port(server: asyncio.Server) -> int:
    return int(server.sockets[0].getsockname()[1]) if server.sockets else 0
