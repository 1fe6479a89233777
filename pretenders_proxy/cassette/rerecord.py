"""Re-recording a cassette reports its noise: the requests of the old recording are kept (in
memory, bounded) until the new recording ends, then compared with it (noise.py)."""

import logging
from dataclasses import dataclass
from pathlib import Path

from pretenders_proxy.cassette import indexing, noise
from pretenders_proxy.errors import CassetteError, ConfigError
from pretenders_proxy.matching.ignore import NOTHING, parse_ignore
from pretenders_proxy.model.http import Request

logger = logging.getLogger(__name__)

MAX_KEPT = 64 << 20
"""Request bytes (bodies, paths, queries, headers) of an old recording kept to compare it with
the new one; a bigger one is not compared (said in the log)."""


@dataclass(frozen=True, slots=True)
class Before:
    """The old recording of a cassette being recorded again: its requests (None: the first
    `start` exchanges of the file, recorded on after them) and the SPECs it already ignores."""

    requests: tuple[Request, ...] | None
    start: int
    ignore: tuple[str, ...]


class Rerecords:
    """The cassettes being recorded again, and what their recordings found once they ended."""

    def __init__(self) -> None:
        self._before: dict[Path, Before] = {}
        self.reports: list[str] = []
        """Reports of recordings that ended as their cassette was started afresh again, for
        the answer of the mode switch that follows (`taken`)."""

    def fresh(self, where: Path) -> None:
        """`where` is about to be removed and recorded anew: keep its old requests."""
        if (ended := self.finish(where)) is not None:  # recorded anew again: the last one ends
            self.reports.append(ended)
        try:
            old = indexing.index(where)
        except CassetteError:
            return  # none there, or unreadable: nothing to compare with
        size = sum(_size(request) for request in old.requests)
        if size > MAX_KEPT:
            logger.info("%s: the old recording is too big to compare with the new one", where)
            return
        self._before[where] = Before(old.requests, 0, old.matching[0])

    def appending(self, where: Path, count: int) -> None:
        """`where` holds `count` exchanges and is recorded on: compare what follows with them."""
        if where not in self._before and count > 0:
            self._before[where] = Before(None, count, ())

    def tracks(self, where: Path) -> bool:
        return where in self._before

    def finish(self, where: Path) -> str | None:
        """The recording of `where` ended: compare it with the old one; the report (also
        logged as a warning), None when nothing differs or nothing was recorded again."""
        before = self._before.pop(where, None)
        if before is None:
            return None
        try:
            now = indexing.index(where)
        except CassetteError as e:
            logger.info("%s: not compared with its old recording: %s", where, e)
            return None
        old = now.requests[: before.start] if before.requests is None else before.requests
        new = now.requests[before.start :]
        if not new:
            return None
        try:
            ignore = parse_ignore([*before.ignore, *now.matching[0]])
        except ConfigError:
            ignore = NOTHING  # a bad SPEC in a header is said when it is replayed
        found = noise.report(str(where), old, new, ignore)
        if found is not None:
            logger.warning("%s", found)
        return found

    def taken(self) -> tuple[str, ...]:
        """The reports not handed over yet (handed over now)."""
        found, self.reports = tuple(self.reports), []
        return found

    def finish_all(self) -> None:
        for where in list(self._before):
            self.finish(where)


def _size(request: Request) -> int:
    return (
        len(request.body)
        + len(request.path)
        + len(request.query)
        + sum(len(name) + len(value) for name, value in request.headers)
    )
