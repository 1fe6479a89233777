"""The store: every session by name, the id counters, and expiry of idle sessions."""

import itertools
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from pretenders_proxy.errors import NotFoundError, TooManySessionsError
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.model.journal import (
    Entry,
    Note,
    Shape,
    Shapes,
    Source,
    Talk,
    TrafficProtocol,
    kept,
    kept_request,
    measured,
    weight,
)
from pretenders_proxy.model.mail import Envelope, Mail
from pretenders_proxy.model.message import headline
from pretenders_proxy.model.preset import Preset
from pretenders_proxy.model.smtp_preset import SmtpPreset
from pretenders_proxy.store.events import Hub
from pretenders_proxy.store.history import MAX_BYTES
from pretenders_proxy.store.presets import StoredPreset
from pretenders_proxy.store.session import Session, SessionProtocol
from pretenders_proxy.store.smtp_presets import StoredSmtpPreset

DEFAULT_SESSION = "default"
_SHAPED_SOURCES = frozenset((Source.PRESET, Source.CASSETTE))
"""Whose answers to one request object, with one note and response object, make alike entries
(Shapes)."""
MAX_SESSIONS = 10_000
"""The default of --max-sessions: live sessions a server holds, `default` included."""


@dataclass(frozen=True, slots=True)
class Clock:
    """Where the store reads time from; tests pass their own functions."""

    now: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic
    local: Callable[[], datetime] = datetime.now


@dataclass(eq=False)
class Store:
    """Sessions by name; the `default` session always exists and never expires.

    `on_delete` functions are called with the name of each session dropped (to stop its
    SMTP listener, for instance). Past `max_sessions` live sessions, opening a new one raises
    TooManySessionsError.
    """

    history_limit: int = 10_000
    default_timeout: float | None = 120.0
    clock: Clock = field(default_factory=Clock)
    history_max_bytes: int = MAX_BYTES
    max_sessions: int = MAX_SESSIONS
    sessions: dict[str, Session] = field(init=False, default_factory=dict)
    events: Hub = field(init=False, default_factory=Hub)
    on_delete: list[Callable[[str], None]] = field(init=False, default_factory=list)
    mirrored: bool = field(init=False, default=False)
    """The sessions are copies of a shared store's (pretenders_proxy.shared), which alone
    expires them."""
    _preset_ids: Iterator[int] = field(init=False, repr=False)
    _entry_ids: Iterator[int] = field(init=False, repr=False)
    _mail_ids: Iterator[int] = field(init=False, repr=False)
    _serials: Iterator[int] = field(init=False, repr=False)
    _shapes: Shapes = field(init=False, repr=False, default_factory=Shapes)

    def __post_init__(self) -> None:
        self._preset_ids = itertools.count(1)
        self._entry_ids = itertools.count(1)
        self._mail_ids = itertools.count(1)
        self._serials = itertools.count(1)
        self._create(DEFAULT_SESSION, SessionProtocol.HTTP, None)

    def _create(self, name: str, protocol: SessionProtocol, timeout: float | None) -> Session:
        session = Session(
            name=name,
            protocol=protocol,
            timeout=timeout,
            started=self.clock.local(),
            last_seen=self.clock.monotonic(),
            history_limit=self.history_limit,
            history_max_bytes=self.history_max_bytes,
            serial=next(self._serials),
        )
        self.sessions[name] = session
        return session

    def open(
        self, name: str | None, protocol: SessionProtocol, timeout: float | bool | None = True
    ) -> Session:
        """The live session `name`, unchanged, or a new one (named by a uuid4 when `name` is None).

        `timeout` True means the server's default timeout, None means FOREVER.
        """
        if name is not None and (existing := self.find(name)) is not None:
            return existing
        self.make_room()
        seconds = self.default_timeout if timeout is True else timeout
        return self._create(name or str(uuid.uuid4()), protocol, seconds or None)

    def make_room(self) -> None:
        """TooManySessionsError when `max_sessions` are live (once expired ones are dropped)."""
        if len(self.sessions) < self.max_sessions:
            return
        self.sweep()
        if len(self.sessions) >= self.max_sessions:
            raise TooManySessionsError(
                f"{len(self.sessions)} sessions are live, the most this server keeps "
                f"(--max-sessions {self.max_sessions}): delete some, or let them expire"
            )

    def find(self, name: str) -> Session | None:
        """The session `name` if it exists and has not expired (an expired one is dropped)."""
        session = self.sessions.get(name)
        if session is None or not session.is_expired(self.clock.monotonic()):
            return session
        if not self.mirrored:  # else the shared store drops it (pretenders_proxy.shared)
            self.delete(name)
        return None

    def get(self, name: str) -> Session:
        if (session := self.find(name)) is None:
            raise NotFoundError(f"no session named {name!r} (it never existed or it expired)")
        return session

    def delete(self, name: str) -> bool:
        """Drop a session with its presets and history; `default` is emptied, not dropped."""
        if self.sessions.pop(name, None) is None:
            return False
        if name == DEFAULT_SESSION:
            self._create(DEFAULT_SESSION, SessionProtocol.HTTP, None)
        for deleted in list(self.on_delete):
            deleted(name)
        return True

    def sweep(self) -> list[str]:
        """Drop every expired session; the names dropped."""
        if self.mirrored:
            return []
        now = self.clock.monotonic()
        expired = [name for name, s in self.sessions.items() if s.is_expired(now)]
        for name in expired:
            self.delete(name)
        return expired

    def adopt(self, name: str, protocol: SessionProtocol, timeout: float | None) -> Session:
        """A copy of a shared store's session `name` (replacing any other of that name)."""
        return self._create(name, protocol, timeout)

    def record_history(self, session: Session, on: bool) -> None:
        """Switch `session`'s history on or off; off, what it kept goes."""
        session.record_history = on
        if not on:
            session.history.clear()

    def touch(self, session: Session) -> None:
        session.touch(self.clock.local(), self.clock.monotonic())

    def add_preset(self, session: Session, preset: Preset) -> StoredPreset:
        return session.presets.add(next(self._preset_ids), preset)

    def add_smtp_preset(self, session: Session, preset: SmtpPreset) -> StoredSmtpPreset:
        return session.smtp_presets.add(next(self._preset_ids), preset)

    def add_mail(self, session: Session, envelope: Envelope, content: bytes) -> Mail:
        """Keep a message `session` accepted; it counts as traffic (refreshes its timeout)."""
        self.touch(session)
        mail = self.mail(session.name, next(self._mail_ids), envelope, content)
        session.inbox.add(mail)
        self.events.publish(mail)
        return mail

    def mail(self, session: str, mail_id: int, envelope: Envelope, content: bytes) -> Mail:
        return Mail(mail_id, session, self.clock.now(), envelope, content, headline(content))

    def journal(
        self,
        session: Session,
        request: Request,
        note: Note,
        response: Response | None = None,
        *,
        duration_ms: float = 0.0,
        protocol: TrafficProtocol | None = None,
        size: int | None = None,
        websocket: Talk | None = None,
    ) -> Entry | None:
        """Append what `session` received and how it was answered (`note`) to its history
        (`entry` says what of it is kept); count it, and keep nothing when the session keeps
        no history (None)."""
        session.requests_seen += 1
        if not session.record_history:
            return None
        entry, size = self._entry(
            session.name,
            next(self._entry_ids),
            request,
            note,
            response,
            duration_ms,
            protocol,
            size,
            websocket,
        )
        session.history.add(entry, size)
        self.events.publish(entry)
        return entry

    def entry(
        self,
        session: str,
        entry_id: int,
        request: Request,
        note: Note,
        response: Response | None = None,
        *,
        duration_ms: float = 0.0,
        protocol: TrafficProtocol | None = None,
        size: int | None = None,
        websocket: Talk | None = None,
    ) -> tuple[Entry, int]:
        """The history entry of what `session` received and how it was answered (`note`), and
        about how many bytes it holds; `protocol` says what it was (by default, HTTP or a
        WebSocket upgrade, from its headers); `size`: the whole body's, when `response` holds
        only its start (a stream's).

        Of the request and the response, history keeps the headers and a bounded preview of
        the body (and of a WebSocket's messages, `websocket`); what the entry holds counts
        towards --history-max-bytes.
        """
        return self._entry(
            session, entry_id, request, note, response, duration_ms, protocol, size, websocket
        )

    def shape(self, request: Request, note: Note, response: Response | None) -> Shape | None:
        """The shape kept for a preset's or a recording's answer to `request` (Shapes): what
        `entry` would make of it, less its id, time and duration; None until one entry of it
        was measured."""
        return self._shapes.find(request, note, response)

    def _entry(
        self,
        session: str,
        entry_id: int,
        request: Request,
        note: Note,
        response: Response | None,
        duration_ms: float,
        protocol: TrafficProtocol | None,
        size: int | None,
        websocket: Talk | None,
    ) -> tuple[Entry, int]:
        """`entry`, with no keywords (`journal` calls it for every request): made from the
        shape kept for a preset's answer to `request` (Shapes), else measured."""
        plain = protocol is None and size is None and websocket is None
        shape = self._shapes.find(request, note, response) if plain else None
        if shape is not None:
            return shape.entry(entry_id, session, self.clock.now(), duration_ms), shape.weight
        seen, whole = request, response
        request, request_size = kept_request(request)
        response, response_size = kept(response)
        response_size = max(response_size, size or 0)
        # A preset's body within the bound is one object for every request it served.
        shared = note.source is Source.PRESET and response is whole
        entry = Entry(
            entry_id,
            session,
            self.clock.now(),
            request,
            note.source,
            response,
            duration_ms,
            note.preset_id,
            note.miss,
            note.error,
            response_size,
            protocol or measured(request)[0],
            request_size,
            websocket,
            note.stale,
        )
        weighs = weight(entry, shared_response=shared)
        # A recording's response kept whole is one object too (the cassette reader's, a
        # lane's wire): its entries are as alike as a preset's.
        alike = response is whole and note.source in _SHAPED_SOURCES
        if plain and alike and request is seen:
            self._shapes.keep(seen, note, whole, entry, weighs)
        return entry, weighs
