"""The cassette files of a running pretenders: tapes loaded for replay, writers open for recording.

Paths are the server's, relative ones resolved against its working directory.
"""

from collections.abc import Sequence
from dataclasses import replace
from itertools import chain, count, repeat
from operator import attrgetter, itemgetter
from pathlib import Path

from pretenders_proxy.cassette import indexing, matching, reading, writing
from pretenders_proxy.cassette.redact import Redaction
from pretenders_proxy.cassette.rerecord import Rerecords
from pretenders_proxy.errors import CassetteError, ConfigError
from pretenders_proxy.matching.fields import MatchSpec
from pretenders_proxy.matching.modes import CassettePlan, Mode, ModeConfig, RecordMode, plan
from pretenders_proxy.model.exchange import REDACTED, Exchange
from pretenders_proxy.model.frozen import maker
from pretenders_proxy.model.http import Request, query_pairs
from pretenders_proxy.server.collector import paused
from pretenders_proxy.store.playback import Playback
from pretenders_proxy.store.session import Session
from pretenders_proxy.store.sessions import Store
from pretenders_proxy.store.tape import Recorded, ResponseSource, Tape


def resolve(path: str) -> Path:
    return Path(path).expanduser().resolve()


def confine(path: str, roots: Sequence[Path]) -> str:
    """`path` as the control API got it, made absolute (relative ones from the first root);
    CassetteError unless it lies inside a root once `..` and symlinks are resolved."""
    folders = [root.expanduser().resolve() for root in roots] or [Path.cwd().resolve()]
    try:
        where = (folders[0] / path).resolve()
    except (OSError, ValueError) as e:  # a NUL byte, a symlink loop
        raise CassetteError(f"cassette path {path!r} cannot be used: {e}") from None
    if not any(where.is_relative_to(folder) for folder in folders):
        shown = ", ".join(str(folder) for folder in folders)
        raise CassetteError(
            f"cassette {path!r} is outside the cassette directory ({shown}); "
            "start pretenders with --cassette-dir to allow another one"
        )
    return str(where)


class CassetteFiles:
    """Opens, shares and closes cassette files; the only owner of open writers."""

    def __init__(self, index_cache: Path | None = None) -> None:
        self.redaction = Redaction()
        self.index_cache = index_cache
        """Where the indexes of loaded cassettes are kept for the next start (None: nowhere)."""
        self._writers: dict[Path, writing.Writer] = {}
        self._resolved: dict[str, Path] = {}
        """Each recording path as resolved at the last mode switch (not again per exchange:
        resolving a path is a system call per folder in it)."""
        self.problems: dict[str, str] = {}
        """The last failure to record to a cassette (by path as configured), until one works."""
        self.rerecords = Rerecords()
        self._recorders: dict[str, Path] = {}
        """The cassette each session in record mode records to (its recording ends with it)."""
        self._kept_heads: dict[Path, dict[str, object]] = {}
        """The matching header keys of a cassette started afresh, for its new header."""

    def append(self, path: str, exchange: Exchange) -> tuple[writing.Writer, int]:
        """Append `exchange` to `path`: its writer and byte offset; CassetteError, remembered in
        `problems` (shown by the API and /health), when it cannot be written."""
        try:
            writer = self.writer(path)
            offset = writer.append(exchange)
        except CassetteError as e:
            self.problems[path] = str(e)
            raise
        self.problems.pop(path, None)
        return writer, offset

    def writer(self, path: str) -> writing.Writer:
        """The open writer of `path` (opened, and mended if its tail is cut, on first use)."""
        where = self._resolved.get(path)
        if where is None:
            where = self._resolved[path] = resolve(path)
        found = self._writers.get(where)
        if found is None or found.closed:
            head = self._kept_heads.pop(where, {})
            found = self._writers[where] = writing.Writer.open(where, head)
        return found

    def plan(self, path: str, record_mode: RecordMode) -> CassettePlan:
        """What VCR.py's `record_mode` means for the cassette at `path` (confined already), as
        it is on this disk; ConfigError naming the file when it cannot work."""
        try:
            return plan(record_mode, resolve(path).exists())
        except ConfigError as e:
            raise ConfigError(f"{path}: {e}") from None

    def prepare(self, path: str, planned: CassettePlan) -> None:
        """Make `path`'s missing folders and, when `planned` starts it afresh, remove the old
        file (closing its writer first: nothing may go on appending to the removed file)."""
        where = resolve(path)
        try:
            if planned.fresh:
                if (writer := self._writers.pop(where, None)) is not None:
                    writer.close()
                self._keep_head(where)
                where.unlink(missing_ok=True)
            where.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise CassetteError(f"cannot prepare cassette {path}: {e.strerror or e}") from e

    def _keep_head(self, where: Path) -> None:
        """Before `where` is removed to be recorded anew: keep its old requests to compare the
        new recording with, and its header's matching for the new header."""
        self.rerecords.fresh(where)
        try:
            self._kept_heads[where] = matching.matching_keys(matching.head_of(where))
        except CassetteError:
            self._kept_heads.pop(where, None)  # none there, or no cassette: nothing to keep

    def switch(self, store: Store, session: Session, config: ModeConfig) -> Playback:
        """Put `session` in the mode `config` says; CassetteError/ConfigError leave it as it was.
        A recording the session ends is compared with the cassette's old one (if recorded
        again): the noise found is among the warnings."""
        self._resolved.clear()
        before = session.playback.config
        try:
            mended: tuple[str, ...] = ()
            if config.recording is not None:
                writer = self.writer(config.recording)  # fails now, not at the first exchange
                self.problems.pop(config.recording, None)
                mended = (writer.mended,) if writer.mended else ()
            with paused():  # an index is many objects: collect none while building it
                playback = self._load(config)
            ended = self._ended(before, config)
            self._recorders.pop(session.name, None)
            if config.mode is Mode.RECORD and config.recording is not None:
                self._recorders[session.name] = resolve(config.recording)
            warnings = mended + playback.warnings + self.rerecords.taken() + ended
            session.playback = replace(playback, warnings=warnings)
        finally:
            self._release(store)
        return session.playback

    def _ended(self, before: ModeConfig, now: ModeConfig) -> tuple[str, ...]:
        """Compare a recording that ends with its cassette's old one (the report, if any);
        start following one recorded on after what it holds (record mode over a cassette)."""
        report = None
        if before.mode is Mode.RECORD and before.recording not in (None, now.recording):
            report = self.rerecords.finish(resolve(before.recording))
        if now.mode is Mode.RECORD and now.recording is not None:
            where = resolve(now.recording)
            if not self.rerecords.tracks(where):
                self.rerecords.appending(where, self.writer(now.recording).count)
        return () if report is None else (report,)

    def _load(self, config: ModeConfig) -> Playback:
        """The tape of the cassettes `config` replays: requests indexed, responses left on disk."""
        loaded = [self._index(resolve(path)) for path in config.replaying]
        names = {*self.redaction.headers, *self.redaction.query}
        for cassette in loaded:
            names |= redacted_names(cassette.requests)
        stored = [(path, c.matching) for path, c in zip(config.replaying, loaded, strict=True)]
        fields, ignore = matching.merged(config.match_on, config.ignore, stored)
        spec = MatchSpec(fields, frozenset(names), ignore)
        tape = Tape(spec, config.repeat)
        for path, cassette in zip(config.replaying, loaded, strict=True):
            source: ResponseSource = (
                cassette.reader
            )  # every recording of the cassette reads from it
            recordings = map(
                _make_recorded,
                repeat(path),
                count(1),
                cassette.offsets,
                cassette.lengths,
                cassette.requests,
                cassette.statuses,
                repeat(source),
            )
            tape.extend(list(recordings))
        warnings = tuple(c.warning for c in loaded if c.warning is not None)
        return Playback(config, tape, warnings)

    def _index(self, where: Path) -> indexing.Indexed:
        # our own writer of the same file (on-miss record) only appends: replay follows it
        return indexing.index(where, lambda: self._stamp_of_writer(where), self.index_cache)

    def deleted(self, name: str) -> None:
        """Session `name` was dropped: a recording it made ends (compared with the cassette's
        old one, if recorded again; said in the log) unless another session records on."""
        where = self._recorders.pop(name, None)
        if where is not None and where not in self._recorders.values():
            self.rerecords.finish(where)

    def _stamp_of_writer(self, where: Path) -> reading.Stamp | None:
        writer = self._writers.get(where)
        return None if writer is None else writer.stamp

    def _release(self, store: Store) -> None:
        """Close the writers no session records to any more."""
        recording = {s.playback.config.recording for s in store.sessions.values()}
        in_use = {resolve(path) for path in recording if path is not None}
        for where in list(self._writers):
            if where not in in_use:
                self._writers.pop(where).close()
        for path in list(self.problems):
            if path not in recording:
                del self.problems[path]

    def close(self) -> None:
        self.rerecords.finish_all()
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()


_make_recorded = maker(Recorded)
_headers, _query, _value = attrgetter("headers"), attrgetter("query"), itemgetter(1)


def redacted_names(requests: Sequence[Request]) -> set[bytes]:
    """Header (lower-case) and query names whose values were recorded as `<redacted>`."""
    names: set[bytes] = set()
    # a quick look at them all first (C-level): most cassettes have nothing redacted at all
    values = map(_value, chain.from_iterable(map(_headers, requests)))
    queries = b"&".join(map(_query, requests))  # `<redacted>` cannot span an &
    if REDACTED not in values and REDACTED not in queries:
        return names
    for request in requests:
        # a quick look first (C-level): most requests of a cassette have nothing redacted
        if REDACTED in chain.from_iterable(request.headers):
            names.update(name.lower() for name, value in request.headers if value == REDACTED)
        if REDACTED in request.query:
            names.update(name for name, value in query_pairs(request.query) if value == REDACTED)
    return names
