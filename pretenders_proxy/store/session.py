"""A session: one namespace of presets and history (a pretenders 1.4 "mock" is one)."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from pretenders_proxy.store.history import MAX_BYTES, History
from pretenders_proxy.store.inbox import Inbox
from pretenders_proxy.store.playback import Playback
from pretenders_proxy.store.presets import PresetBook
from pretenders_proxy.store.smtp_presets import SmtpPresetBook


class SessionProtocol(StrEnum):
    """What a session mocks: HTTP (the proxy and /mockhttp/) or SMTP (a 1.4 SMTP mock)."""

    HTTP = "http"
    SMTP = "smtp"


@dataclass(eq=False)
class Session:
    """Presets, history, mail and liveness of one named session.

    `timeout` is in seconds (None: FOREVER); a session expires when it has had no traffic for
    longer than that. `last_call` is wall-clock time for display, `last_seen` monotonic time.
    `serial` orders sessions by creation (the store numbers them; lists page by it).
    `record_history` False: requests are answered and counted (`requests_seen`, which counts
    every request journaled or not) but kept in no history (issue 20: load tests).
    """

    name: str
    protocol: SessionProtocol
    timeout: float | None
    started: datetime
    last_seen: float
    history_limit: int
    history_max_bytes: int = MAX_BYTES
    serial: int = 0
    record_history: bool = True
    requests_seen: int = 0
    last_call: datetime = field(init=False)
    presets: PresetBook = field(init=False, default_factory=PresetBook)
    history: History = field(init=False)
    inbox: Inbox = field(init=False)
    smtp_presets: SmtpPresetBook = field(init=False, default_factory=SmtpPresetBook)
    playback: Playback = field(init=False, default_factory=Playback)

    def __post_init__(self) -> None:
        self.last_call = self.started
        self.history = History(self.history_limit, self.history_max_bytes)
        self.inbox = Inbox(self.history_limit, self.history_max_bytes)

    def touch(self, wall: datetime, monotonic: float) -> None:
        self.last_call = wall
        self.last_seen = monotonic

    def is_expired(self, monotonic: float) -> bool:
        return self.timeout is not None and monotonic - self.last_seen > self.timeout
