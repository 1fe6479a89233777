"""A session: one namespace of presets and history (a pretenders 1.4 "mock" is one)."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from pretenders_proxy.matching.subject import Subject
from pretenders_proxy.model.http import Request
from pretenders_proxy.store.history import History
from pretenders_proxy.store.inbox import Inbox
from pretenders_proxy.store.playback import Playback
from pretenders_proxy.store.presets import PresetBook, StoredPreset, explain_miss
from pretenders_proxy.store.smtp_presets import SmtpPresetBook


class SessionProtocol(StrEnum):
    """What a session mocks: HTTP (the proxy and /mockhttp/) or SMTP (a 1.4 SMTP mock)."""

    HTTP = "http"
    SMTP = "smtp"


class Answer(NamedTuple):
    """What the presets say about a request: the preset that serves it, or None.

    A NamedTuple (built in C) rather than a frozen dataclass: one is made per request.
    """

    preset: StoredPreset | None
    subject: Subject
    book: PresetBook

    def explain(self) -> str:
        """Why no preset served: the closest one and how it differs (computed on demand)."""
        return explain_miss(self.subject, self.book.nearest(self.subject))


@dataclass(eq=False)
class Session:
    """Presets, history, mail and liveness of one named session.

    `timeout` is in seconds (None: FOREVER); a session expires when it has had no traffic for
    longer than that. `last_call` is wall-clock time for display, `last_seen` monotonic time.
    """

    name: str
    protocol: SessionProtocol
    timeout: float | None
    started: datetime
    last_seen: float
    history_limit: int
    last_call: datetime = field(init=False)
    presets: PresetBook = field(init=False, default_factory=PresetBook)
    history: History = field(init=False)
    inbox: Inbox = field(init=False)
    smtp_presets: SmtpPresetBook = field(init=False, default_factory=SmtpPresetBook)
    playback: Playback = field(init=False, default_factory=Playback)

    def __post_init__(self) -> None:
        self.last_call = self.started
        self.history = History(self.history_limit)
        self.inbox = Inbox(self.history_limit)

    def touch(self, wall: datetime, monotonic: float) -> None:
        self.last_call = wall
        self.last_seen = monotonic

    def is_expired(self, monotonic: float) -> bool:
        return self.timeout is not None and monotonic - self.last_seen > self.timeout

    def answer(self, request: Request) -> Answer:
        """Find the preset serving `request`, using one of its `times`."""
        subject = Subject(request)
        return Answer(self.presets.take(subject), subject, self.presets)
