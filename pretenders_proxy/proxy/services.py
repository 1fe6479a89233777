"""Services: the listeners beside the proxy (control API, SMTP), the stale-session sweep, and
the ready file saying that everything listens."""

import asyncio
import logging
from contextlib import suppress

from mitmproxy import certs, ctx

from pretenders_proxy.api import serve
from pretenders_proxy.api.app import create_app, direct_mocks
from pretenders_proxy.errors import ConfigError, ListenError
from pretenders_proxy.proxy.certificates import server_context
from pretenders_proxy.proxy.listeners import proxy_listeners
from pretenders_proxy.server import exhaustion, ready
from pretenders_proxy.server.binding import netloc
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.server.tasks import spawn
from pretenders_proxy.smtp.listeners import SmtpListeners

logger = logging.getLogger(__name__)
READY_FILE = "pretenders_ready_file"


class Services:
    """Starts the control API, the SMTP listeners and the sweep, then writes the ready file.

    The `pretenders` command calls `start()` itself before the proxy runs, so that a busy port
    stops it with a clear message; under `mitmdump -s` the `running` hook starts them.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.api: serve.ApiServer | None = None
        self.smtp: SmtpListeners | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._starting: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Bind every listener (the proxy's are bound already), then write the ready file;
        ListenError naming the first address that failed, ConfigError if the file cannot be
        written (nothing listens then)."""
        settings = self.runtime.settings
        limits = serve.Limits(
            settings.header_timeout, settings.idle_timeout, settings.max_connections
        )
        self.api = await serve.start(
            create_app(self.runtime),
            settings.host,
            settings.port,
            direct_mocks(self.runtime),
            limits,
        )
        host, port = self.api.address
        self.runtime.listeners["control"] = f"http://{netloc(host, port)}"
        try:
            await self._start_smtp()
            self._write_ready_file()
        except (ListenError, ConfigError):
            await self.stop()
            raise
        self._sweeper = spawn(self._sweep(), name="pretenders.sweep")

    def configure(self, updated: set[str]) -> None:
        if READY_FILE in updated:
            self._remove_ready_file()  # one left by an earlier run would say we listen already

    def _write_ready_file(self) -> None:
        settings = self.runtime.settings
        if settings.ready_file is not None:
            try:
                ready.write(
                    settings.ready_file, ready.document(self.runtime.listeners, settings.confdir)
                )
            except OSError as e:
                raise ConfigError(
                    f"--ready-file {settings.ready_file}: cannot write it ({e.strerror or e})"
                ) from e

    def _remove_ready_file(self) -> None:
        if (path := self.runtime.settings.ready_file) is not None:
            with suppress(OSError):  # one that cannot go cannot be written either: start says so
                path.unlink(missing_ok=True)

    async def _start_smtp(self) -> None:
        settings = self.runtime.settings
        tlsconfig = ctx.master.addons.get("tlsconfig")
        certstore = getattr(tlsconfig, "certstore", None) or certs.CertStore.from_store(
            settings.confdir.expanduser(), "mitmproxy", 2048
        )
        self.smtp = SmtpListeners(self.runtime, server_context(certstore, [settings.host]))
        await self.smtp.start()
        self.runtime.smtp = self.smtp

    def running(self) -> None:
        # mitmproxy installs its exception handler as it starts running: ours goes in front.
        exhaustion.install(asyncio.get_running_loop())
        proxyserver = ctx.master.addons.get("proxyserver")
        if proxyserver is not None:
            for name, url in proxy_listeners(proxyserver).items():
                self.runtime.listeners.setdefault(name, url)
        if self.api is None and self._starting is None:
            self._starting = spawn(self._start_logged(), name="pretenders.services")

    async def _start_logged(self) -> None:
        try:
            await self.start()
        except (ListenError, ConfigError) as e:
            logger.error("pretenders: %s", e)
        else:
            logger.info("pretenders control API at %s", self.runtime.listeners["control"])

    def done(self) -> None:
        self._remove_ready_file()
        if self._sweeper is not None:
            self._sweeper.cancel()
        if self.api is not None:
            self.api.close()
        if self.smtp is not None:
            self.smtp.close()
            self.runtime.smtp = self.smtp = None

    async def stop(self) -> None:
        """Close everything and let in-flight control calls finish."""
        self.done()
        if self.api is not None:
            await self.api.cleanup()
            self.api = None

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(self.runtime.settings.stale_period)
            if expired := self.runtime.store.sweep():
                logger.info("expired sessions removed: %s", ", ".join(expired))
