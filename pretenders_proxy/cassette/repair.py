"""Mending a damaged cassette (cut short, garbage after its last complete item): every
complete exchange is kept, the rest dropped and said. Rewriting an older version as the current
one (`pretenders cassette migrate`)."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from pretenders_proxy.cassette.codec import VERSION, Item
from pretenders_proxy.cassette.reading import Reader, Stored
from pretenders_proxy.cassette.writing import rewrite
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.exchange import Exchange


@dataclass(frozen=True, slots=True)
class Checked:
    """What a lenient read of a cassette found: its header, how many exchanges are complete,
    and why reading stopped before the end of the file (None: it did not)."""

    header: Item
    count: int
    problem: str | None


def check(
    path: Path, progress: Callable[[Iterable[Stored]], Iterable[Stored]] = lambda items: items
) -> Checked:
    """Read `path` leniently to its first damage; CassetteError if it is no cassette at all."""
    with Reader(path, lenient=True) as reader:
        count = sum(1 for _ in progress(reader))
    return Checked(reader.header, count, reader.problem)


def keep_complete(path: Path, target: Path, checked: Checked) -> None:
    """Write the complete exchanges of `path` to `target` (which may be `path`), replacing it
    in one step; streamed, so no body is held in memory."""
    with Reader(path, lenient=True) as reader:
        kept = (stored.exchange for stored in reader)
        rewrite(target, dict(checked.header, version=VERSION), islice(kept, checked.count))


@dataclass(frozen=True, slots=True)
class Migrated:
    """The version a cassette was in, and how many exchanges were rewritten."""

    version: int
    count: int


def version_of(path: Path) -> int:
    """The version a cassette's header names; CassetteError when it is newer than this
    pretenders reads (by name), unknown, or no cassette."""
    with Reader(path) as reader:
        return reader.version


def migrate(path: Path, target: Path) -> Migrated:
    """Rewrite the cassette at `path` as the current version at `target` (which may be `path`),
    replacing it in one step; streamed. A damaged cassette is refused (nothing written): its
    lost tail would go unnoticed; `repair` keeps what is complete, saying what it drops."""
    with Reader(path) as reader:
        count = [0]

        def exchanges() -> Iterator[Exchange]:
            for stored in reader:
                count[0] += 1
                yield stored.exchange
            if reader.problem is not None:
                raise CassetteError(
                    f"{path}: {reader.problem} (from byte {reader.truncated_at}); "
                    "`pretenders cassette repair` keeps the complete exchanges"
                )

        rewrite(target, dict(reader.header, version=VERSION), exchanges())
    return Migrated(reader.version, count[0])
