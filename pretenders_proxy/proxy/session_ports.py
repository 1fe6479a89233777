"""SessionPorts: forward-proxy ports of a session's own, for clients that cannot name a session.

The proxy's credentials name a session, but Java sends none through a CONNECT without code of
the app's (its Basic tunnelling is off by default). Whatever arrives at a session's own port is
that session's; the port closes when the session is deleted or expires.
"""

import logging

from mitmproxy import connection, ctx
from mitmproxy.proxy.mode_servers import RegularInstance

from pretenders_proxy.errors import ListenError
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.server.tasks import spawn

logger = logging.getLogger(__name__)


class SessionPorts:
    """Starts one regular-proxy listener per session asking for one, on a free port."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.listeners: dict[str, RegularInstance] = {}
        self.sessions: dict[int, str] = {}
        """The session of each port."""

    def running(self) -> None:
        self.runtime.proxy_ports = self
        self.runtime.store.on_delete.append(self._deleted)

    async def open(self, name: str) -> int:
        """The port of session `name`'s own listener, started if needed; ListenError if it
        cannot listen."""
        if (port := self.port_of(name)) is not None:
            return port
        # port 0: a free one, on the host the proxy listens on (mitmproxy's listen_host)
        listener = RegularInstance.make("regular@0", ctx.master.addons.get("proxyserver"))
        await listener.start()
        if not listener.is_running:
            raise ListenError(f"no port for session {name!r}'s proxy: {listener.last_exception}")
        if (won := self.port_of(name)) is not None or name not in self.runtime.store.sessions:
            # another call opened one while this one started, or the session went meanwhile
            await listener.stop()
            if won is None:
                raise ListenError(f"session {name!r} was deleted while its port opened")
            return won
        port = int(listener.listen_addrs[0][1])
        self.listeners[name] = listener
        self.sessions[port] = name
        logger.info("session %s has its own proxy port %d", name, port)
        return port

    def port_of(self, name: str) -> int | None:
        listener = self.listeners.get(name)
        return int(listener.listen_addrs[0][1]) if listener and listener.listen_addrs else None

    def session_of(self, client: connection.Client) -> str | None:
        """The session whose port `client` connected to, None for the shared ports."""
        sockname = client.sockname or ()
        return self.sessions.get(sockname[1]) if len(sockname) > 1 else None

    def _deleted(self, name: str) -> None:
        if (port := self.port_of(name)) is not None:
            self.sessions.pop(port, None)
        if (listener := self.listeners.pop(name, None)) is not None:
            spawn(listener.stop(), name=f"pretenders.session-port.{port}")
            logger.info("session %s's proxy port %s closed", name, port)

    def done(self) -> None:
        if self._deleted in self.runtime.store.on_delete:
            self.runtime.store.on_delete.remove(self._deleted)
        for name in list(self.listeners):
            self._deleted(name)
