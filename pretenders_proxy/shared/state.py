"""A store many instances share, on Redis or Valkey (`--store redis://...`), through redis-py.

Redis holds the truth (shared/scripts.py: each change one atomic script); each instance
keeps copies of the sessions in its own Store, which `catch_up` brings up to date from the
fleet's change log before the control API reads them, and which traffic keeps current for what
it needs (presets and mode). What only one instance may have (one of a preset's `times`, the
next of equal recordings) Redis hands out. A follower blocks on the change log, so that a wait
on one instance ends as soon as what it waits for reaches any instance.

Calls are pipelined: whatever the instance's requests ask of Redis while a round trip is under
way goes in the next one, together.
"""

import asyncio
import dataclasses
import hashlib
import logging
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, cast

from redis import exceptions as redis_errors

from pretenders_proxy.errors import (
    ConfigError,
    NotFoundError,
    StoreUnavailableError,
    TooManySessionsError,
)
from pretenders_proxy.matching.budget import SECONDS, Budget
from pretenders_proxy.matching.fields import KNOWN_KEYS
from pretenders_proxy.matching.modes import Mode, ModeConfig
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.model.journal import Note
from pretenders_proxy.model.mail import Envelope, Mail
from pretenders_proxy.model.preset import Preset
from pretenders_proxy.model.smtp_preset import SmtpPreset, Stage
from pretenders_proxy.server.tasks import spawn
from pretenders_proxy.shared import codec
from pretenders_proxy.shared.copies import (
    Marks,
    book,
    copy_history,
    copy_mail,
    copy_session,
    stream_id,
    text,
)
from pretenders_proxy.shared.link import REDIS_ERRORS, Link, Then, redacted
from pretenders_proxy.shared.scripts import (
    LOG_LENGTH,
    flat,
    fleet_keys,
    session_key,
)
from pretenders_proxy.store import answering
from pretenders_proxy.store.answering import MockOutcome, Outcome, Replayed, Via
from pretenders_proxy.store.presets import PresetBook, StoredPreset
from pretenders_proxy.store.session import Session, SessionProtocol
from pretenders_proxy.store.sessions import DEFAULT_SESSION, Store
from pretenders_proxy.store.smtp_presets import SmtpPresetBook, StoredSmtpPreset
from pretenders_proxy.store.state import State
from pretenders_proxy.store.tape import Tape

logger = logging.getLogger(__name__)

RETRIES = 8
"""Presets tried in turn when others used them up meanwhile (each try: one round trip)."""
BLOCK_MS = 5000

type ModeSwitch = Callable[[Session, ModeConfig], None]
type Advance = tuple[Tape, tuple[Hashable, ...]]
"""A replay's `advance` begun: the tape and the request's match key."""
type Cursor = tuple[str, str]
"""A replay counted with its history entry (one round trip): its key's field and the presets
and mode versions it was answered with ('pv:mv'), as the `append` checks them."""


def key_field(key: object) -> str:
    """A replay match key as a Redis hash field, the same in every process (`hash()` is not);
    remembered by key object (MatchSpec.key gives one again for the same request), not by
    value: equal keys may have different reprs (JSON's 1, 1.0 and true)."""
    found = _FIELDS.get(id(key))
    if found is not None and found[0] is key:
        return found[1]
    text = repr(key).encode()
    made = hashlib.blake2b(text, digest_size=16).hexdigest()
    if len(text) <= _FIELD_KEPT_MOST:  # nothing big kept alive
        if len(_FIELDS) >= KNOWN_KEYS:
            _FIELDS.clear()
        _FIELDS[id(key)] = (key, made)
    return made


_FIELDS: dict[int, tuple[object, str]] = {}
_FIELD_KEPT_MOST = 16384


class SharedState(State):
    """Sessions in Redis; this instance's Store holds copies of them."""

    shared = True

    def __init__(self, store: Store, url: str, prefix: str, switch: ModeSwitch) -> None:
        super().__init__(store)
        store.mirrored = True
        self.prefix, self.switch = prefix, switch
        self.link = link = Link(url, prefix)
        self.redis, self._run, self._fleet = link.redis, link.run, link.fleet
        self.registry, _, self.log = fleet_keys(prefix)
        self.marks: dict[str, Marks] = {}
        self.presets: dict[int, Preset | SmtpPreset] = {}
        """Presets read from Redis, by id (ids are never reused): each is decoded once."""
        self.last, self.seq = "0-0", 0
        self.high = 0
        """The most changes Redis was seen to hold (it never holds fewer, unless it went back)."""
        self.dirty: set[str] = set()
        self._lock = asyncio.Lock()
        self._follow: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()
        self._writing: set[asyncio.Future[Any]] = set()
        """Journal writes under way (what was answered, not yet in Redis)."""
        store.events.on_listening = self._listening.set

    # -- the connection ------------------------------------------------------------------

    async def start(self) -> None:
        try:
            await self.link.load_scripts()
            await self._run("open", DEFAULT_SESSION, "http", "", 1 << 30, "1", "0")
            await self._from_the_newest_change()
        except REDIS_ERRORS as e:
            raise ConfigError(f"--store {redacted(self.link.url)}: cannot reach it: {e}") from None
        await self._resync()
        self._follow = spawn(self._following(), name="pretenders.store.follow")

    async def close(self) -> None:
        if self._follow is not None:
            self._follow.cancel()
        await self.link.close()

    def health(self) -> dict[str, Any]:
        return self.link.health()

    # -- following the fleet ---------------------------------------------------------------

    async def _following(self) -> None:
        """While anyone here waits or watches, block on the change log and pull in what changes
        (the waits see it at once); else rest: the control API catches up before it reads."""
        while True:
            try:
                if not len(self.store.events):
                    self._listening.clear()
                    await self._listening.wait()
                found = await self.link.follower.xread(
                    {self.log: self.last}, count=LOG_LENGTH, block=BLOCK_MS
                )
                if found:
                    async with self._lock:
                        await self._absorb(found, pull=True)
            except asyncio.CancelledError:
                raise
            except REDIS_ERRORS as e:
                self.link.down(e)
                await asyncio.sleep(0.5)
            except StoreUnavailableError:
                await asyncio.sleep(0.5)
            except Exception:
                logger.exception("following the shared store failed")
                await asyncio.sleep(0.5)

    async def catch_up(self, pull: bool = True) -> None:
        """Read what changed since the last look; with `pull`, bring those sessions' copies up
        to date (waits see the new entries and mail). This instance's journal writes under way
        land first: what it answered (a stream's end, say) is in the history it lists."""
        if self._writing:
            await asyncio.wait(list(self._writing))
        async with self._lock:
            read = self.redis.xread({self.log: self.last}, count=LOG_LENGTH)
            found: Any = await self._fleet(read)
            await self._absorb(found, pull)

    async def _absorb(self, found: Any, pull: bool) -> None:
        """Note the sessions the log items `found` changed (those not seen yet); with `pull`,
        bring them up to date. Called holding the lock."""
        lost, last = False, stream_id(self.last)
        for _, items in found:
            for item_id, fields in items:
                if stream_id(text(item_id)) <= last:  # read by the other reader already
                    continue
                number = int(fields[b"n"])
                lost |= number != self.seq + 1
                self.seq, self.last = number, text(item_id)
                self.dirty.add(text(fields[b"s"]))
        if lost:  # further behind than the log reaches, or Redis lost it: everything, afresh
            await self._afresh()
        if pull and self.dirty:
            names, self.dirty = self.dirty, set()
            # Served counts too: a preset's count is the fleet's, not this copy's own picks.
            await asyncio.gather(*(self.sync(name, served=True) for name in names))

    async def _from_the_newest_change(self) -> None:
        newest: Any = await self.redis.xrevrange(self.log, count=1)
        self.last, self.seq = "0-0", 0
        if newest:
            self.last, self.seq = text(newest[0][0]), int(newest[0][1][b"n"])

    async def _afresh(self) -> None:
        """Copy every session again, forgetting the versions and presets known: Redis may have
        gone back (a failover that lost writes), giving ids out again. Holding the lock."""
        self.marks.clear()
        self.presets.clear()
        await self._fleet(self._from_the_newest_change())
        await self._resync()

    def _gone_back(self, seen: int, changes: int) -> bool:
        """Whether Redis, which had made `seen` changes when a call was sent, now says it made
        fewer (`changes`): it went back (a failover that lost writes). What is copied from then
        on is copied whole; the rest soon after."""
        if changes >= seen:
            self.high = max(self.high, changes)
            return False
        logger.warning("the shared store went back (writes were lost): copying it afresh")
        self.marks.clear()
        self.presets.clear()
        self.high = changes

        async def again() -> None:
            async with self._lock:
                await self._afresh()

        spawn(again(), name="pretenders.store.afresh")
        return True

    async def _resync(self) -> None:
        names = {text(n) for n in await self._fleet(self.redis.hkeys(self.registry))}
        for name in list(self.store.sessions):
            if name not in names:
                self._forget(name)
        await asyncio.gather(*(self.sync(name) for name in names))

    def _forget(self, name: str) -> None:
        self.marks.pop(name, None)
        if (session := self.store.sessions.get(name)) is not None:
            for stored in [*session.presets, *session.smtp_presets]:
                self.presets.pop(stored.id, None)
            self.store.delete(name)
            if name == DEFAULT_SESSION:  # made again by the Store: a copy to fill
                self.marks.pop(name, None)

    # -- copies ------------------------------------------------------------------------------

    async def sync(self, name: str, *, served: bool = False) -> Session | None:
        """Bring the copy of session `name` up to date; None when it is gone."""
        marks, seen = self.marks.setdefault(name, Marks()), self.high
        reply = await self._run(
            "pull", name, marks.pv, marks.history.generation, marks.history.last,
            marks.mail.generation, marks.mail.last, marks.mv,
            "1" if served else "0",
        )  # fmt: skip
        if reply is None:
            self._forget(name)
            return None
        meta_pairs, presets, served_pairs, history, mail, mode, now, changes, named = reply
        if self._gone_back(seen, changes):  # see traffic
            return await self.sync(name, served=served)
        meta = {text(k): text(v) for k, v in flat(meta_pairs).items()}
        serial = int(meta["serial"])
        if marks.serial and marks.serial != serial:  # deleted and made again elsewhere
            self._forget(name)
            return await self.sync(name, served=served)
        session = copy_session(self.store, name, meta, int(now), marks)
        if presets is not None and int(meta["pv"]) > marks.pv:
            await self._presets(session, presets, marks, int(meta["pv"]))
        if served_pairs is not None:
            counts = {int(k): int(v) for k, v in flat(served_pairs).items()}
            for stored in [*session.presets, *session.smtp_presets]:
                stored.served = counts.get(stored.id, 0)
        publish = self.store.events.publish
        copy_history(session, meta, history, marks, publish, flat(named))
        copy_mail(session, meta, mail, marks, publish)
        self._mode(session, int(meta["mv"]), mode, marks)
        return session

    async def _presets(
        self, session: Session, found: list[Any], marks: Marks, version: int
    ) -> None:
        http_ids, smtp_ids, left_pairs = found
        left = {int(k): int(v) for k, v in flat(left_pairs).items()}
        for part, ids in (("presets", http_ids), ("smtp", smtp_ids)):
            unknown = [int(i) for i in ids if int(i) not in self.presets]
            if unknown:
                key = session_key(self.prefix, session.name, part)
                values: list[Any] = await self._fleet(self.redis.hmget(key, unknown))
                for preset_id, value in zip(unknown, values, strict=True):
                    if value is not None:
                        self.presets[preset_id] = codec.loads(value)
        if version <= marks.pv:  # another pull got there first
            return
        marks.pv = version
        old = [*session.presets, *session.smtp_presets]
        session.presets = book(PresetBook(), session.presets, http_ids, self.presets, left)
        session.smtp_presets = book(
            SmtpPresetBook(), session.smtp_presets, smtp_ids, self.presets, left
        )
        for stored in old:  # used up or deleted: never read again
            kept = session.presets.get(stored.id) or session.smtp_presets.get(stored.id)
            if kept is None:
                self.presets.pop(stored.id, None)

    def _mode(self, session: Session, version: int, mode: Any, marks: Marks) -> None:
        if version <= marks.mv or not mode:
            return
        marks.mv = version
        config = codec.loads(mode)
        try:
            self.switch(session, config)
        except Exception as e:  # fail closed: what cannot be replayed here is not passed on
            logger.error("session %r: cannot switch to %s here: %s", session.name, config, e)
            self.switch(session, ModeConfig(Mode.MOCK))

    # -- sessions ------------------------------------------------------------------------

    def _timeout(self, timeout: float | bool | None) -> str:
        seconds = self.store.default_timeout if timeout is True else timeout
        return str(int(seconds * 1000)) if seconds else ""

    async def open(
        self, name: str | None, protocol: SessionProtocol, idle: float | bool | None = True
    ) -> Session:
        if name is None:
            name = self.store.open(None, protocol, idle).name  # a fresh uuid4 name
        await self._opened(name, protocol.value, self._timeout(idle), "0")
        session = await self.sync(name)
        if session is None:  # expired at once
            raise NotFoundError(f"no session named {name!r} (it expired)")
        return session

    async def _opened(self, name: str, protocol: str, idle: str, touch: str) -> int:
        for attempt in range(2):
            try:
                most = self.store.max_sessions
                state: int = await self._run("open", name, protocol, idle, most, "1", touch)
                return state
            except redis_errors.ResponseError as e:
                if not str(e).startswith("TOOMANY"):
                    raise
                if attempt:
                    raise _too_many(str(e), self.store.max_sessions) from None
                await self.sweep()  # expired ones may make room
        raise AssertionError("unreachable")

    async def traffic(self, name: str, *, create: bool, verified: bool = True) -> Session | None:
        """As State.traffic; unless `verified`, this instance's copy when it has one, with no
        round trip: `journal_mock` checks it then (one round trip instead of two)."""
        copy = None if verified else self.copy(name)
        if copy is not None:
            return copy
        marks, seen = self.marks.setdefault(name, Marks()), self.high
        try:
            reply = await self._run(
                "traffic", name, "http", self._timeout(True), self.store.max_sessions,
                "1" if create else "0", marks.pv, marks.mv,
            )  # fmt: skip
        except redis_errors.ResponseError as e:
            if not str(e).startswith("TOOMANY"):
                raise
            raise _too_many(str(e), self.store.max_sessions) from None
        if reply[0] < 0:
            self._forget(name)
            return None
        _, pv, mv, serial, mode, changes = reply
        if self._gone_back(seen, changes):
            return await self.sync(name)
        session = self.store.sessions.get(name)
        if session is None or pv != marks.pv or serial != marks.serial:
            return await self.sync(name)
        self._mode(session, mv, mode, marks)
        return session

    def copy(self, name: str) -> Session | None:
        """This instance's copy of session `name`, if it has one copied from Redis."""
        copy = self.store.sessions.get(name)
        known = self.marks.get(name)
        return copy if copy is not None and known is not None and known.serial else None

    async def delete(self, name: str) -> bool:
        found = await self._run("delete", name, "1" if name == DEFAULT_SESSION else "0")
        self._forget(name)
        if name == DEFAULT_SESSION:
            await self.sync(name)
        return bool(found)

    async def sweep(self) -> list[str]:
        names = [text(n) for n in await self._fleet(self.redis.hkeys(self.registry))]
        states = await asyncio.gather(
            *(self._run("open", name, "", "", 0, "0", "0") for name in names)
        )
        gone = [name for name, state in zip(names, states, strict=True) if state < 0]
        for name in gone:
            self._forget(name)
        return gone

    # -- presets ---------------------------------------------------------------------------

    async def add_preset(self, session: Session, preset: Preset) -> StoredPreset:
        preset_id = await self._add(session, "presets", preset, preset.times)
        stored = session.presets.get(preset_id)
        if stored is None:
            raise NotFoundError(f"preset {preset_id} was used up or deleted at once")
        return stored

    async def add_smtp_preset(self, session: Session, preset: SmtpPreset) -> StoredSmtpPreset:
        preset_id = await self._add(session, "smtp", preset, preset.times)
        stored = session.smtp_presets.get(preset_id)
        if stored is None:
            raise NotFoundError(f"SMTP preset {preset_id} was used up or deleted at once")
        return stored

    async def _add(self, session: Session, book: str, preset: object, times: int | None) -> int:
        data = codec.dumps(preset)
        preset_id: int = await self._run("add_preset", session.name, book, data, times or "")
        if preset_id < 0:
            raise NotFoundError(f"no session named {session.name!r} (it expired)")
        self.presets[preset_id] = preset  # type: ignore[assignment]
        await self.sync(session.name)
        return preset_id

    async def remove_preset(self, session: Session, preset_id: int, *, smtp: bool) -> bool:
        gone = await self._run("remove_preset", session.name, preset_id)
        await self.sync(session.name)
        return bool(gone)

    async def clear_presets(self, session: Session, *, smtp: bool) -> None:
        await self._run("clear_presets", session.name, "smtp" if smtp else "presets")
        await self.sync(session.name)

    async def _taken(self, session: Session, preset_id: int, *, journaled: bool = True) -> bool:
        """Whether one of preset `preset_id`'s uses is ours (always, for a FOREVER one whose
        count goes with its journal entry: `journaled`); if not, it is gone from the copy."""
        preset = self.presets.get(preset_id)
        if journaled and preset is not None and preset.times is None:
            return True
        if await self._run("take", session.name, preset_id):
            return True
        session.presets.remove(preset_id)
        session.smtp_presets.remove(preset_id)
        return False

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
        if session is None:
            return answering.answer(None, request, via, miss_status, regex_seconds)
        if not checked:
            return await self._replay_unchecked(session, request, via, miss_status, regex_seconds)
        subject = None
        for _ in range(RETRIES):
            subject, served = answering.from_presets(session, request, regex_seconds)
            if served is None:
                break
            if await self._taken(session, served.preset_id):
                return served
        if via is Via.PROXY and session.playback.mode is Mode.REPLAY:
            tape = session.playback.tape
            key = tape.spec.key(request)
            played = await self._run("advance", session.name, key_field(key), "", "")
            tape.seek(key, played - 1)
        return answering.after_presets(session, request, via, miss_status, regex_seconds, subject)

    async def _replay_unchecked(
        self, session: Session, request: Request, via: Via, miss_status: int, seconds: float
    ) -> Outcome:
        """Replay from this instance's copy of a session with no presets in one round trip:
        the next recording is handed out only if the copy is the fleet's (else checked first,
        as traffic does, then answered)."""
        found = self._advance(session, request) if via is Via.PROXY else None
        if found is not None:
            begun, args = found
            played = await self.link.call("advance", session.name, *args)
            outcome = self.replayed(session, request, begun, played, miss_status, seconds)
            if outcome is not None:
                return outcome
        return await self.replay_checked(session.name, request, via, miss_status, seconds)

    def replay_begun(self, session: Session, request: Request, then: Then) -> Advance | None:
        """`_replay_unchecked`'s round trip begun with no coroutine (the proxy lane's hot path):
        `then` hears the `advance`'s reply the moment it is read. None when the copy cannot
        answer alone (presets, not replaying)."""
        found = self._advance(session, request)
        if found is None:
            return None
        self.link.call_then(then, "advance", session.name, *found[1])
        return found[0]

    def replay_once(
        self, session: Session, request: Request, miss_status: int, seconds: float
    ) -> tuple[Outcome, Cursor] | None:
        """The replay of `request` decided from the copy, when what answers does not depend on
        how often its key was played (one recording, repeat last, no max-age), and the cursor
        its entry's `append` advances (so one round trip, not `advance` then `append`); None
        when `replay_begun` must ask first."""
        marks = self.marks.get(session.name)
        playback = session.playback
        if (
            marks is None
            or playback.mode is not Mode.REPLAY
            or playback.config.max_age is not None
            or len(session.presets)
        ):
            return None
        tape = playback.tape
        key = tape.spec.key(request)
        if not tape.always_the_same(key):
            return None
        outcome = answering.after_presets(session, request, Via.PROXY, miss_status, seconds)
        if not isinstance(outcome, Replayed):
            return None
        return outcome, (key_field(key), f"{marks.pv}:{marks.mv}")

    def _advance(
        self, session: Session, request: Request
    ) -> tuple[Advance, tuple[object, ...]] | None:
        """The tape and key of a replay from the copy, and its `advance` checked against the
        copy's versions; None when the copy cannot answer alone."""
        marks = self.marks.get(session.name)
        if marks is None or session.playback.mode is not Mode.REPLAY or len(session.presets):
            return None
        tape = session.playback.tape
        key = tape.spec.key(request)
        return (tape, key), (key_field(key), marks.pv, marks.mv)

    def replayed(
        self,
        session: Session,
        request: Request,
        begun: Advance,
        played: int,
        miss_status: int,
        seconds: float,
    ) -> Outcome | None:
        """What answers once the `advance` begun replied `played` (the times equal requests
        were replayed); None when it advanced nothing (the copy is out of date, or the session
        went): `replay_checked` answers then."""
        if played <= 0:
            return None
        tape, key = begun
        tape.seek(key, played - 1)
        return answering.after_presets(session, request, Via.PROXY, miss_status, seconds)

    async def replay_checked(
        self, name: str, request: Request, via: Via, miss_status: int, seconds: float
    ) -> Outcome:
        """Answer with the session checked first (its copy brought up to date)."""
        fresh = await self.traffic(name, create=via is Via.PROXY)
        return await self.answer(fresh, request, via, miss_status, seconds)

    async def take_smtp(
        self, session: Session, stage: Stage, recipients: Sequence[str], budget: Budget
    ) -> StoredSmtpPreset | None:
        for _ in range(RETRIES):
            stored = session.smtp_presets.take(stage, recipients, budget)
            # counted here: no mail appended names the SMTP preset that acted on it
            if stored is None or await self._taken(session, stored.id, journaled=False):
                return stored
        return None

    # -- history and mail ----------------------------------------------------------------

    def journal(
        self,
        session: Session,
        request: Request,
        note: Note,
        response: Response | None = None,
        **extra: Any,
    ) -> Awaitable[object]:
        args = self._appended(session, request, note, response, "", "", **extra)
        written = self.link.call("append", session.name, *args)
        written.add_done_callback(_unless_lost)
        self._writing.add(written)
        written.add_done_callback(self._writing.discard)
        return written

    def journal_then(
        self,
        then: Then,
        session: Session,
        request: Request,
        note: Note,
        response: Response | None = None,
        cursor: Cursor | None = None,
        **extra: Any,
    ) -> None:
        """`journal` with no future (the proxy lane's replay): `then` hears the append's reply
        the moment it is read; with `cursor` (`replay_once`) it advances the replay too, if the
        fleet's versions are still the copy's (-2: nothing kept or advanced)."""
        key, versions = cursor or ("", "")
        args = self._appended(session, request, note, response, versions, key, **extra)
        self.link.call_then(then, "append", session.name, *args)

    def _item(
        self,
        session: Session,
        request: Request,
        note: Note,
        response: Response | None,
        **extra: Any,
    ) -> tuple[bytes | str, int, codec.Definition | None]:
        """The history entry to append, packed, its weight, and the reply it names (None: it
        carries its response); nothing ("", 0, None) when the copy keeps no history (Redis,
        which counts the request either way, decides: it drops an entry a session that keeps
        none was sent)."""
        if not session.record_history:
            return "", 0, None
        store = self.store
        if extra.keys() == {"duration_ms"}:  # a preset's or a recording's answer again: shaped
            shape = store.shape(request, note, response)
            if shape is not None:
                at, took = store.clock.now(), extra["duration_ms"]
                item, named = codec.dumps_shaped(shape, 0, session.name, at, took)
                return item, shape.weight, named
        entry, weight = store.entry(session.name, 0, request, note, response, **extra)
        return codec.dumps_entry(entry), weight, None

    async def mock(
        self, name: str, request: Request, miss_status: int, regex_seconds: float, started: float
    ) -> MockOutcome | None:
        """As State.mock, in one round trip: answered from this instance's copy of the session
        and journaled only if the fleet's presets are still the copy's; else answered again,
        checked first."""
        for verified in (False, True):
            session = await self.traffic(name, create=False, verified=verified)
            if session is None:
                return None
            decided = self.answer(session, request, Via.MOCKHTTP, miss_status, regex_seconds)
            outcome = cast(MockOutcome, await decided)
            response, took = answering.journaled(outcome, started)
            note = outcome.note
            if await self._journal_checked(session, request, note, response, verified, took):
                break
        return outcome

    def mock_begun(
        self,
        name: str,
        request: Request,
        miss_status: int,
        regex_seconds: float,
        started: float,
        memo: bool,
        then: Then,
    ) -> MockOutcome | None:
        """`mock`'s first try with no task and no coroutine (the fast lane's hot path): answered
        from this instance's copy, its entry appended only if the fleet's presets are still the
        copy's: `then` hears the append's reply the moment it is read (-2: they changed, `mock`
        again). None when a round trip must come first (no copy, or a preset with `times`)."""
        session = self.store.sessions.get(name)
        marks = self.marks.get(name)
        if session is None or marks is None or not marks.serial:
            return None
        if marks.untimed != marks.pv:
            if any(stored.preset.times is not None for stored in session.presets):
                return None
            marks.untimed = marks.pv  # a copy's presets change only with its version
        # the copy's presets are all FOREVER here, so one remembered is what `take` gives
        served = session.presets.recall(request) if memo else None
        subject = None
        if served is None:
            subject, served = answering.from_presets(session, request, regex_seconds, memo=memo)
        outcome = served or cast(
            MockOutcome,
            answering.after_presets(
                session, request, Via.MOCKHTTP, miss_status, regex_seconds, subject
            ),
        )
        response, took = answering.journaled(outcome, started)
        args = self._appended(
            session, request, outcome.note, response, marks.pv, "", duration_ms=took
        )
        self.link.call_then(then, "append", session.name, *args)
        return outcome

    async def _journal_checked(
        self,
        session: Session,
        request: Request,
        note: Note,
        response: Response | None,
        verified: bool,
        took: float,
    ) -> bool:
        """Journal what a mock answered from this instance's copy of `session` (not `verified`
        by `traffic`) only if the fleet's presets are still those of the copy: False when they
        changed or the session went (nothing kept: answer again). One of a preset's `times`,
        taken already, is never checked: it was the copy's first match and is ours."""
        preset = self.presets.get(note.preset_id) if note.preset_id is not None else None
        taken = preset is not None and preset.times is not None
        marks = self.marks.get(session.name)
        expected = "" if verified or taken or marks is None else marks.pv
        args = self._appended(session, request, note, response, expected, "", duration_ms=took)
        kept = await self.link.call("append", session.name, *args)
        return verified or kept >= 0

    def _appended(
        self,
        session: Session,
        request: Request,
        note: Note,
        response: Response | None,
        expected: int | str,
        cursor: str,
        **extra: Any,
    ) -> tuple[object, ...]:
        """The `append` of a history entry, kept if the versions are still `expected` ('' any;
        the presets version, or 'pv:mv'), advancing the replays of the match key field `cursor`
        ('' none)."""
        store = self.store
        item, weight, named = self._item(session, request, note, response, **extra)
        served = note.preset_id if note.preset_id is not None else ""
        return (
            "history", item, weight, store.history_limit, store.history_max_bytes, served,
            expected, cursor, named,
        )  # fmt: skip

    async def add_mail(self, session: Session, envelope: Envelope, content: bytes) -> Mail:
        store = self.store
        mail = store.mail(session.name, 0, envelope, content)
        weight = len(content) + 512
        mail_id = await self._run(
            "append", session.name, "mail", codec.dumps(mail), weight,
            store.history_limit, store.history_max_bytes, "", "", "", None,
        )  # fmt: skip
        if mail_id < 0:
            raise NotFoundError(f"no session named {session.name!r} (it expired)")
        return dataclasses.replace(mail, id=mail_id)

    async def clear_history(self, session: Session) -> None:
        await self._run("clear", session.name, "history")
        await self.sync(session.name)

    async def record_history(self, session: Session, on: bool) -> None:
        if await self._run("record_history", session.name, "1" if on else "0") < 0:
            raise NotFoundError(f"no session named {session.name!r} (it expired)")
        await self.sync(session.name)

    async def clear_mail(self, session: Session) -> None:
        await self._run("clear", session.name, "mail")
        await self.sync(session.name)

    async def remove_mail(self, session: Session, mail_id: int) -> bool:
        found = await self._run("remove_mail", session.name, mail_id)
        await self.sync(session.name)
        return bool(found)

    async def set_mode(self, session: Session, config: ModeConfig) -> None:
        version = await self._run("set_mode", session.name, codec.dumps(config))
        if version < 0:
            raise NotFoundError(f"no session named {session.name!r} (it expired)")
        marks = self.marks.setdefault(session.name, Marks())
        marks.mv = max(marks.mv, version)  # switched here already: a pull must not do it again


def _unless_lost(written: asyncio.Future[Any]) -> None:
    """Log a journal write that failed (what no one awaits would fail unseen)."""
    if not written.cancelled() and (error := written.exception()) is not None:
        logger.error("a history entry was not kept: %s", error)


def _too_many(message: str, most: int) -> TooManySessionsError:
    count = message.removeprefix("TOOMANY ").strip()
    return TooManySessionsError(
        f"{count} sessions are live, the most this fleet keeps (--max-sessions {most}): "
        "delete some, or let them expire"
    )
