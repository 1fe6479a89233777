"""Running pretenders: the proxy, the control API and the sweep in one asyncio loop."""

import asyncio
import logging
import signal
from collections.abc import Callable
from pathlib import Path

from mitmproxy.addons.proxyserver import Proxyserver
from mitmproxy.master import Master

from pretenders_proxy.certs import CA_CERT
from pretenders_proxy.cli.reverse import parse_reverse
from pretenders_proxy.errors import ConfigError, ListenError
from pretenders_proxy.proxy import internals
from pretenders_proxy.proxy.listeners import proxy_listeners
from pretenders_proxy.proxy.master import build_master
from pretenders_proxy.proxy.services import Services
from pretenders_proxy.server.binding import describe_bind_error
from pretenders_proxy.server.collector import settle
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.settings import Settings

logger = logging.getLogger(__name__)
INDEX_CACHE = "cassette-index"
"""The confdir's folder of cassette indexes: a second start on the same cassette is quick."""


class Server:
    """One pretenders process: build it, `start()` it, `serve()` until told to stop."""

    def __init__(self, settings: Settings) -> None:
        self.runtime = Runtime(settings)
        self.runtime.cassettes.index_cache = Path(settings.confdir).expanduser() / INDEX_CACHE
        self.master: Master = build_master(self.runtime)
        self.services: Services = self.master.addons.get("services")

    @property
    def ca_file(self) -> Path:
        return Path(self.master.options.confdir).expanduser() / CA_CERT

    async def start(self) -> None:
        """Bind every listener and write the ready file, or raise ListenError naming the
        listener that could not bind (ConfigError: the ready file could not be written)."""
        await self._start_proxy()
        try:
            await self.services.start()
        except (ListenError, ConfigError):
            await self._stop_proxy()
            raise
        settle()  # what start-up made lives on: keep it out of every collection

    async def serve(self, on_stop: Callable[[], None] | None = None) -> None:
        """Run until SIGINT/SIGTERM (or `stop()`), then close everything."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.stop)
        try:
            await self.master.run()
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
            await self.services.stop()
            if on_stop is not None:
                on_stop()

    def stop(self) -> None:
        self.master.shutdown()

    async def _start_proxy(self) -> None:
        settings = self.runtime.settings
        if settings.workers > 1:  # the parent holds these ports for every worker
            reverse = [parse_reverse(text).port for text in settings.reverse]
            internals.share_ports([settings.proxy_port, *reverse])
        proxy: Proxyserver = self.master.addons.get("proxyserver")
        quiet = _Silence()
        logging.getLogger("mitmproxy.addons.proxyserver").addFilter(quiet)
        try:
            started = await proxy.setup_servers()
        finally:
            logging.getLogger("mitmproxy.addons.proxyserver").removeFilter(quiet)
        if not started:
            for instance in proxy.servers:
                if isinstance(error := instance.last_exception, OSError):
                    cause = error.__cause__ if isinstance(error.__cause__, OSError) else error
                    host = instance.mode.listen_host(settings.host) or settings.host
                    port = instance.mode.listen_port(settings.proxy_port) or settings.proxy_port
                    raise ListenError(
                        describe_bind_error(instance.mode.description, host, port, cause)
                    )
            raise ListenError("the proxy listener could not start")
        for name, url in proxy_listeners(proxy).items():
            self.runtime.listeners.setdefault(name, url)

    async def _stop_proxy(self) -> None:
        self.master.options.update(server=False)
        proxy: Proxyserver = self.master.addons.get("proxyserver")
        await proxy.servers.update([])


class _Silence(logging.Filter):
    """Drops mitmproxy's multi-line bind errors; we say it in one line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno < logging.ERROR
