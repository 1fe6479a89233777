"""Mending a damaged cassette (cut short, garbage after its last complete item): every
complete exchange is kept, the rest dropped and said."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from pretenders_proxy.cassette.codec import VERSION, Item
from pretenders_proxy.cassette.reading import Reader, Stored
from pretenders_proxy.cassette.writing import rewrite


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
