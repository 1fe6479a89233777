"""The composition root's object: settings and the store, shared by every addon and listener."""

from dataclasses import dataclass, field
from typing import Protocol

from pretenders_proxy.cassette.files import CassetteFiles
from pretenders_proxy.settings import Settings
from pretenders_proxy.store import Store
from pretenders_proxy.store.state import State


class MockListeners(Protocol):
    """What the API needs of the SMTP listeners (pretenders_proxy.smtp.listeners)."""

    async def open_mock(self, name: str) -> int:
        """The port of session `name`'s SMTP listener, started if needed; ListenError if none."""
        ...


class ProxyPorts(Protocol):
    """What the API needs of the sessions' own proxy ports (proxy/session_ports.py)."""

    async def open(self, name: str) -> int:
        """The port of session `name`'s own proxy listener, started if needed."""
        ...

    def port_of(self, name: str) -> int | None:
        """The port of session `name`'s own proxy listener, None when it has none."""
        ...


@dataclass(eq=False)
class Runtime:
    """What the parts of one running pretenders share.

    `listeners` maps a listener's name ("control", "proxy", "smtp", ...) to the address it
    actually bound, filled in as each one starts (ports given as 0 show their real number).
    `smtp` is set once the SMTP listeners run (the API starts mock listeners through it), and
    `proxy_ports` once the proxy runs (the API opens the sessions' own proxy ports through it).
    """

    settings: Settings = field(default_factory=Settings)
    store: Store = field(init=False)
    state: State = field(init=False)
    """Where what changes the store goes (shared with other instances by --store redis://)."""
    listeners: dict[str, str] = field(default_factory=dict)
    smtp: MockListeners | None = None
    proxy_ports: ProxyPorts | None = None
    cassettes: CassetteFiles = field(default_factory=CassetteFiles)
    fast_answers: dict[str, int] = field(default_factory=lambda: {"mockhttp": 0, "proxy": 0})
    """Answers each fast lane wrote itself (/health says them: a load test can see its lane)."""

    def __post_init__(self) -> None:
        settings = self.settings
        self.store = Store(
            settings.history_limit,
            settings.mock_timeout,
            history_max_bytes=settings.history_max_bytes,
            max_sessions=settings.max_sessions,
        )
        self.store.on_delete.append(self.cassettes.deleted)  # a recording ends with its session
        self.state = State(self.store)  # a shared store's replaces it as services start

    def apply(self, settings: Settings) -> None:
        """Take new settings; sessions created from now on follow them."""
        self.settings = settings
        self.store.history_limit = settings.history_limit
        self.store.default_timeout = settings.mock_timeout
        self.store.history_max_bytes = settings.history_max_bytes
        self.store.max_sessions = settings.max_sessions
