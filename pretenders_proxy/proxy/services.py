"""Services: the listeners beside the proxy (control API, SMTP), the stale-session sweep, and
the ready file saying that everything listens and runs."""

import asyncio
import logging
from contextlib import suppress
from pathlib import Path

from mitmproxy import certs, ctx

from pretenders_proxy.api import serve
from pretenders_proxy.api.app import create_app, direct_mocks
from pretenders_proxy.api.fastlane import Lane
from pretenders_proxy.errors import ConfigError, ListenError, StoreUnavailableError
from pretenders_proxy.matching.modes import Mode, ModeConfig
from pretenders_proxy.proxy.certificates import server_context
from pretenders_proxy.proxy.listeners import proxy_listeners
from pretenders_proxy.server import exhaustion, ready
from pretenders_proxy.server.binding import netloc
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.server.tasks import spawn
from pretenders_proxy.smtp.listeners import SmtpListeners
from pretenders_proxy.store import Session
from pretenders_proxy.store.sessions import DEFAULT_SESSION

logger = logging.getLogger(__name__)
READY_FILE = "pretenders_ready_file"


class Services:
    """Starts the control API, the SMTP listeners and the sweep, then writes the ready file.

    The `pretenders` command calls `start()` itself before the proxy runs, so that a busy port
    stops it with a clear message; under `mitmdump -s` the `running` hook starts them. The ready
    file is prepared by `start()` (one that cannot be written stops start-up) and put in place
    once the loop runs with every hook done, our exception handler among them: a tool that
    finds it meets a server that is wholly up.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.api: serve.ApiServer | None = None
        self.smtp: SmtpListeners | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._starting: asyncio.Task[None] | None = None
        self._ready: Path | None = None  # the prepared ready file, until it is put in place
        self._running = False

    async def start(self) -> None:
        """Bind every listener (the proxy's are bound already), then prepare the ready file
        (put in place at once if the loop runs already); ListenError naming the first address
        that failed, ConfigError if the file cannot be written (nothing listens then)."""
        await self._start_store()
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
            None if settings.plain_mock_replies else Lane(self.runtime),
            reuse_port=settings.workers > 1,
        )
        host, port = self.api.address
        self.runtime.listeners["control"] = f"http://{netloc(host, port)}"
        try:
            await self._start_smtp()
            self._prepare_ready_file()
        except (ListenError, ConfigError):
            await self.stop()
            raise
        self._sweeper = spawn(self._sweep(), name="pretenders.sweep")
        if self._running:
            self._commit_ready_file()

    async def _start_store(self) -> None:
        """Connect a shared store; the mode the command line gives `default` is the fleet's,
        else `default` takes the fleet's mode."""
        runtime = self.runtime
        settings, store = runtime.settings, runtime.store
        if settings.store == "memory":
            return
        from pretenders_proxy.shared.state import SharedState  # redis-py only when asked for

        def switch(session: Session, config: ModeConfig) -> None:
            runtime.cassettes.switch(store, session, config)

        state = SharedState(store, settings.store, settings.store_prefix, switch)
        runtime.state = state
        config = store.get(DEFAULT_SESSION).playback.config
        await state.start()
        if config.mode is not Mode.MOCK:
            default = store.get(DEFAULT_SESSION)
            runtime.cassettes.switch(store, default, config)
            await state.set_mode(default, config)

    def configure(self, updated: set[str]) -> None:
        if READY_FILE in updated:
            self._remove_ready_file()  # one left by an earlier run would say we listen already

    def _prepare_ready_file(self) -> None:
        settings = self.runtime.settings
        if settings.ready_file is not None:
            content = ready.document(self.runtime.listeners, settings.confdir)
            try:
                self._ready = ready.prepare(settings.ready_file, content)
            except OSError as e:
                raise self._unwritable(e) from e

    def _commit_ready_file(self) -> None:
        prepared, self._ready = self._ready, None
        path = self.runtime.settings.ready_file
        if prepared is None or path is None:
            return
        try:
            ready.commit(prepared, path)
        except OSError as e:
            logger.error("pretenders: %s", self._unwritable(e))
            ctx.master.shutdown()

    def _unwritable(self, e: OSError) -> ConfigError:
        path = self.runtime.settings.ready_file
        return ConfigError(f"--ready-file {path}: cannot write it ({e.strerror or e})")

    def _remove_ready_file(self) -> None:
        if self._ready is not None:
            self._ready.unlink(missing_ok=True)
            self._ready = None
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
        self._running = True
        proxyserver = ctx.master.addons.get("proxyserver")
        if proxyserver is not None:
            for name, url in proxy_listeners(proxyserver).items():
                self.runtime.listeners.setdefault(name, url)
        if self.api is None and self._starting is None:
            self._starting = spawn(self._start_logged(), name="pretenders.services")
        else:
            self._commit_ready_file()

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
            try:
                expired = await self.runtime.state.sweep()
            except StoreUnavailableError:
                continue  # said where it happened; the next sweep tries again
            if expired:
                logger.info("expired sessions removed: %s", ", ".join(expired))
