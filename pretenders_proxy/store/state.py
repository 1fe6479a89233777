"""Where sessions live, as every part of a running pretenders changes them: this process's memory
(`--store memory`, the default), or a shared store many instances use (pretenders_proxy.shared).

Reads go to the Store and its Sessions (in memory, or a shared store's copies brought up to date
by `catch_up`); whatever changes state goes through here, so that a shared store changes it for
every instance at once.
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from pretenders_proxy.matching.budget import SECONDS, Budget
from pretenders_proxy.matching.modes import ModeConfig
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.model.journal import Note
from pretenders_proxy.model.mail import Envelope, Mail
from pretenders_proxy.model.preset import Preset
from pretenders_proxy.model.smtp_preset import SmtpPreset, Stage
from pretenders_proxy.store import answering
from pretenders_proxy.store.answering import MockOutcome, Outcome, Via
from pretenders_proxy.store.presets import StoredPreset
from pretenders_proxy.store.session import Session, SessionProtocol
from pretenders_proxy.store.sessions import DEFAULT_SESSION, Store
from pretenders_proxy.store.smtp_presets import StoredSmtpPreset


class State:
    """The memory store: every change is made to the Store at once."""

    shared = False

    def __init__(self, store: Store) -> None:
        self.store = store

    async def start(self) -> None:
        """Connect (a shared store); ConfigError when that cannot be done."""

    async def close(self) -> None:
        """Let go of connections (a shared store)."""

    async def catch_up(self) -> None:
        """Bring the Store up to date with what other instances changed (a shared store)."""

    def health(self) -> dict[str, Any]:
        """What /health says of the store."""
        return {"kind": "memory", "state": "up"}

    async def open(
        self, name: str | None, protocol: SessionProtocol, idle: float | bool | None = True
    ) -> Session:
        """The live session `name`, or a new one idle for at most `idle` (Store.open's
        timeout)."""
        return self.store.open(name, protocol, idle)

    async def traffic(self, name: str, *, create: bool, verified: bool = True) -> Session | None:
        """The session `name` as traffic to it finds it (made when `create`), touched (its
        timeout starts again); None when there is none. Not `verified`: a shared store may
        give its copy as it is, which the answer then checks (`answer(checked=False)`)."""
        store = self.store
        session = store.open(name, SessionProtocol.HTTP) if create else store.find(name)
        if session is not None:
            store.touch(session)
        return session

    async def delete(self, name: str) -> bool:
        return self.store.delete(name)

    async def sweep(self) -> list[str]:
        """Drop the expired sessions; their names."""
        return self.store.sweep()

    async def add_preset(self, session: Session, preset: Preset) -> StoredPreset:
        return self.store.add_preset(session, preset)

    async def add_smtp_preset(self, session: Session, preset: SmtpPreset) -> StoredSmtpPreset:
        return self.store.add_smtp_preset(session, preset)

    async def remove_preset(self, session: Session, preset_id: int, *, smtp: bool) -> bool:
        book = session.smtp_presets if smtp else session.presets
        return book.remove(preset_id)

    async def clear_presets(self, session: Session, *, smtp: bool) -> None:
        (session.smtp_presets if smtp else session.presets).clear()

    async def answer(
        self,
        session: Session | None,
        request: Request,
        via: Via,
        miss_status: int,
        regex_seconds: float = SECONDS,
        *,
        checked: bool = True,
    ) -> Outcome:
        """What answers `request` (store.answering.answer). Not `checked`: `session` is a shared
        store's copy as `traffic` gave it unverified, which the answer checks first."""
        return answering.answer(session, request, via, miss_status, regex_seconds)

    async def take_smtp(
        self, session: Session, stage: Stage, recipients: Sequence[str], budget: Budget
    ) -> StoredSmtpPreset | None:
        """The SMTP preset acting at `stage` on `recipients`, one of its `times` used."""
        return session.smtp_presets.take(stage, recipients, budget)

    def journal(
        self,
        session: Session,
        request: Request,
        note: Note,
        response: Response | None = None,
        **extra: Any,
    ) -> Awaitable[object] | None:
        """Journal an exchange (Store.journal); what to await before answering, if anything
        (a shared store's write: what is answered is in history, on every instance)."""
        self.store.journal(session, request, note, response, **extra)
        return None

    async def mock(
        self, name: str, request: Request, miss_status: int, regex_seconds: float, started: float
    ) -> MockOutcome | None:
        """Answer `request` to mock `name` from its presets and journal it (`started`: when it
        arrived, a perf_counter time); None when there is no such mock. The /mockhttp/ hot
        path: one call."""
        return self.mock_now(name, request, miss_status, regex_seconds, started)

    def mock_begun(
        self,
        name: str,
        request: Request,
        miss_status: int,
        regex_seconds: float,
        started: float,
        memo: bool,
        then: Callable[[Any, Exception | None], None],
    ) -> MockOutcome | None:
        """A shared store's answer to `request` with its history entry on its way (`then`
        hears its reply: below 0 when the answer does not stand: await `mock` then), made
        without a task; None when there is none to give (this store: `mock_now`). `memo` as
        `mock_now`'s."""
        return None

    def mock_now(
        self,
        name: str,
        request: Request,
        miss_status: int,
        regex_seconds: float,
        started: float,
        memo: bool = False,
    ) -> MockOutcome | None:
        """State.mock without awaiting: this memory store never waits (the fast lane calls it
        when `mock` is this class's own, not a subclass's). `memo`: `request` is the one object
        of its bytes (api/heads.py), whose answer the session's presets may remember."""
        store = self.store
        session = store.find(name)
        if session is None:
            return None
        store.touch(session)
        outcome: MockOutcome | None = session.presets.recall(request) if memo else None
        if outcome is None:
            outcome = answering.answer(
                session, request, Via.MOCKHTTP, miss_status, regex_seconds, memo=memo
            )
        response, took = answering.journaled(outcome, started)
        store.journal(session, request, outcome.note, response, duration_ms=took)
        return outcome

    async def add_mail(self, session: Session, envelope: Envelope, content: bytes) -> Mail:
        return self.store.add_mail(session, envelope, content)

    async def clear_history(self, session: Session) -> None:
        session.history.clear()

    async def clear_mail(self, session: Session) -> None:
        session.inbox.clear()

    async def remove_mail(self, session: Session, mail_id: int) -> bool:
        return session.inbox.remove(mail_id)

    async def record_history(self, session: Session, on: bool) -> None:
        """Switch `session`'s history on or off (Store.record_history)."""
        self.store.record_history(session, on)

    async def set_mode(self, session: Session, config: ModeConfig) -> None:
        """Say that `session` switched to `config` (it did, here): other instances follow."""


def is_default(name: str) -> bool:
    return name == DEFAULT_SESSION
