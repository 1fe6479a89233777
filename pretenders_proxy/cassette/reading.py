"""Cassette files: reading, streaming, paging, writing and appending them.

A cassette is a msgpack stream: a header map, then one map per exchange. Reading keeps every
exchange's byte offset; `Reader` streams exchanges one at a time; `page` decodes one page of
them. Replay's index of a cassette (responses left on disk) is in `indexing`, beside this.
"""

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import msgpack

from pretenders_proxy.cassette import migrate, pages, regular
from pretenders_proxy.cassette.codec import (
    Item,
    from_item,
    version_of,
)
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.exchange import Exchange

logger = logging.getLogger(__name__)

MAX_ITEM = 1 << 30
"""The largest item the reader accepts (1 GiB): bodies are kept whole."""
TRUNCATED = object()
"""What `open_items` gives for an incomplete last item."""


@dataclass(frozen=True, slots=True)
class Stored:
    """An exchange and the byte offset of its item in the file."""

    offset: int
    exchange: Exchange


@dataclass(frozen=True, slots=True)
class Loaded:
    """What reading a cassette found; `truncated_at` is where an incomplete last item starts."""

    path: Path
    header: Item
    version: int
    exchanges: tuple[Stored, ...]
    truncated_at: int | None = None

    @property
    def warning(self) -> str | None:
        return cut_short_warning(self.path, self.truncated_at, len(self.exchanges))


def cut_short_warning(path: Path, truncated_at: int | None, complete: int) -> str | None:
    """The warning for a cassette whose last item was cut short, or None."""
    if truncated_at is None:
        return None
    return (
        f"{path}: the last record (from byte {truncated_at}) is incomplete, "
        f"probably cut short by a stopped recorder; "
        f"the {complete} complete exchanges before it are loaded"
    )


def read(path: Path) -> Loaded:
    """Every complete exchange of the cassette at `path`, in recorded order.

    A truncated last item is left out with a warning; anything else wrong raises CassetteError
    naming the file and the byte offset.
    """
    try:
        with regular.open_read(path) as stream:
            return _read(path, stream)
    except OSError as e:
        raise CassetteError(f"cannot read cassette {path}: {e.strerror or e}") from e


def _read(path: Path, stream: IO[bytes]) -> Loaded:
    head, version, items = open_items(path, unpacker_of(stream), os.fstat(stream.fileno()).st_size)
    exchanges: list[Stored] = []
    for offset, _, item in items:
        if item is TRUNCATED:
            loaded = Loaded(path, head, version, tuple(exchanges), offset)
            logger.warning("%s", loaded.warning)
            return loaded
        try:
            exchange = from_item(migrate.upgrade(item, version))
        except CassetteError as e:
            raise CassetteError(f"{path} is damaged (byte {offset}: {e})") from None
        exchanges.append(Stored(offset, exchange))
    return Loaded(path, head, version, tuple(exchanges))


def open_items(
    path: Path, unpacker: msgpack.Unpacker, size: int
) -> tuple[Item, int, Iterator[tuple[int, int, Any]]]:
    """The header, the version it names (checked) and the exchange items after it."""
    objects = _objects(path, unpacker, size)
    first = next(objects, None)
    if first is None or first[2] is TRUNCATED:
        problem = "the file is empty" if first is None else "its header is incomplete"
        raise CassetteError(f"{path} is not a pretenders cassette (byte 0: {problem})")
    try:
        version = version_of(first[2])
        migrate.check(version)
    except CassetteError as e:
        raise CassetteError(f"{path} cannot be read (byte 0: {e})") from None
    return first[2], version, objects


class Reader:
    """Streams a cassette's exchanges one item at a time, so big files never sit in memory.

    Strict by default (damage raises CassetteError, a truncated tail ends the stream and sets
    `truncated_at`); `lenient` stops at the first bad item instead, noting where and why, which
    is what `pretenders cassette repair` keeps.
    """

    def __init__(self, path: Path, *, lenient: bool = False) -> None:
        self.path = path
        self.lenient = lenient
        self.truncated_at: int | None = None
        self.problem: str | None = None
        """Why reading stopped early (a lenient reader's damage, or a truncated tail)."""
        try:
            self._stream = regular.open_read(path)
            self.size = os.fstat(self._stream.fileno()).st_size
        except OSError as e:
            raise CassetteError(f"cannot read cassette {path}: {e.strerror or e}") from e
        try:
            head, self.version, self._objects = open_items(
                path, unpacker_of(self._stream), self.size
            )
        except BaseException:
            self.close()
            raise
        self.header: Item = head

    def __iter__(self) -> Iterator[Stored]:
        offset = 0
        try:
            for offset, _, item in self._objects:
                if item is TRUNCATED:
                    self.truncated_at, self.problem = offset, "the last record is incomplete"
                    return
                try:
                    exchange = from_item(migrate.upgrade(item, self.version))
                except CassetteError as e:
                    raise CassetteError(f"{self.path} is damaged (byte {offset}: {e})") from None
                yield Stored(offset, exchange)
        except CassetteError as e:
            if not self.lenient:
                raise
            self.problem = str(e)

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> "Reader":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def page(path: Path, offset: int, limit: int) -> pages.Page:
    """Up to `limit` exchanges after the first `offset`; the items around them are skipped
    undecoded. CassetteError naming the file and byte when it is no cassette or damaged."""
    pages.check(offset, limit)
    try:
        with regular.open_read(path) as stream:
            return _page(path, stream, offset, limit)
    except OSError as e:
        raise CassetteError(f"cannot read cassette {path}: {e.strerror or e}") from e


def _page(path: Path, stream: IO[bytes], offset: int, limit: int) -> pages.Page:
    size = os.fstat(stream.fileno()).st_size
    unpacker = unpacker_of(stream)
    version = open_items(path, unpacker, size)[1]  # reads the header; the items follow
    exchanges: list[Exchange] = []
    total = 0
    while (start := unpacker.tell()) < size:
        try:
            if offset <= total < offset + limit:
                exchanges.append(from_item(migrate.upgrade(unpacker.unpack(), version)))
            else:
                unpacker.skip()
        except msgpack.OutOfData:
            return pages.Page(path, total, offset, tuple(exchanges), truncated=True)
        except (ValueError, TypeError, msgpack.UnpackException, CassetteError) as e:
            raise CassetteError(f"{path} is damaged (byte {start}: {problem_of(e)})") from None
        total += 1
    return pages.Page(path, total, offset, tuple(exchanges))


def problem_of(error: Exception) -> str:
    """What an unpacking error says, never nothing: msgpack raises StackError with no text."""
    if isinstance(error, msgpack.StackError):
        return "nested too deeply (more levels than msgpack reads)"
    return str(error) or type(error).__name__


def unpacker_of(stream: IO[bytes]) -> msgpack.Unpacker:
    """How every reader of cassettes unpacks them (str keys, bytes kept, items up to 1 GiB)."""
    return msgpack.Unpacker(
        stream, raw=False, strict_map_key=True, max_buffer_size=MAX_ITEM, read_size=1 << 20
    )


def _objects(path: Path, unpacker: msgpack.Unpacker, size: int) -> Iterator[tuple[int, int, Any]]:
    """(offset, end, object) for each msgpack object; (offset, size, TRUNCATED) for a cut tail."""
    offset = 0
    while offset < size:
        try:
            item = unpacker.unpack()
        except msgpack.OutOfData:
            yield offset, size, TRUNCATED
            return
        except (ValueError, TypeError, msgpack.UnpackException) as e:
            what = "is not a pretenders cassette" if offset == 0 else "is damaged"
            problem = problem_of(e)
            raise CassetteError(f"{path} {what} (byte {offset}: not msgpack: {problem})") from None
        end = unpacker.tell()
        yield offset, end, item
        offset = end


type Stamp = tuple[int, int, int, int]
"""What says a file is still the one indexed: device, inode, size, modification time (ns)."""


def stamp_of(status: os.stat_result) -> Stamp:
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)
