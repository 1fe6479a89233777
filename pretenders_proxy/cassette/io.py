"""Cassette files: the only module that reads or writes them.

A cassette is a msgpack stream: a header map, then one map per exchange. Reading keeps every
exchange's byte offset; `Reader` streams exchanges one at a time; `index` keeps only the
requests and where each record lies, and a `ResponseReader` reads a response from disk
(os.pread) when it is played, so that replaying a large cassette does not hold its bodies in
memory.
"""

import hashlib
import logging
import marshal
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import msgpack

from pretenders_proxy.cassette import migrate, pages
from pretenders_proxy.cassette.record import (
    VERSION,
    Record,
    from_record,
    header,
    request_from_record,
    response_from_record,
    to_record,
    version_of,
)
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Request, Response

logger = logging.getLogger(__name__)

MAX_RECORD = 1 << 30
"""The largest record the reader accepts (1 GiB): bodies are kept whole."""
_TRUNCATED = object()


@dataclass(frozen=True, slots=True)
class Stored:
    """An exchange and the byte offset of its record in the file."""

    offset: int
    exchange: Exchange


@dataclass(frozen=True, slots=True)
class Loaded:
    """What reading a cassette found; `truncated_at` is where an incomplete last record starts."""

    path: Path
    header: Record
    version: int
    exchanges: tuple[Stored, ...]
    truncated_at: int | None = None

    @property
    def warning(self) -> str | None:
        return _cut_short(self.path, self.truncated_at, len(self.exchanges))


def _cut_short(path: Path, truncated_at: int | None, complete: int) -> str | None:
    if truncated_at is None:
        return None
    return (
        f"{path}: the last record (from byte {truncated_at}) is incomplete, "
        f"probably cut short by a stopped recorder; "
        f"the {complete} complete exchanges before it are loaded"
    )


def pack(record: Record) -> bytes:
    return msgpack.packb(record, use_bin_type=True)  # type: ignore[no-any-return]


def read(path: Path) -> Loaded:
    """Every complete exchange of the cassette at `path`, in recorded order.

    A truncated last record is left out with a warning; anything else wrong raises CassetteError
    naming the file and the byte offset.
    """
    try:
        with path.open("rb") as stream:
            return _read(path, stream)
    except OSError as e:
        raise CassetteError(f"cannot read cassette {path}: {e.strerror or e}") from e


def _read(path: Path, stream: IO[bytes]) -> Loaded:
    head, version, records = _records(path, _unpacker(stream), os.fstat(stream.fileno()).st_size)
    exchanges: list[Stored] = []
    for offset, _, item in records:
        if item is _TRUNCATED:
            loaded = Loaded(path, head, version, tuple(exchanges), offset)
            logger.warning("%s", loaded.warning)
            return loaded
        try:
            exchange = from_record(migrate.upgrade(item, version))
        except CassetteError as e:
            raise CassetteError(f"{path} is damaged (byte {offset}: {e})") from None
        exchanges.append(Stored(offset, exchange))
    return Loaded(path, head, version, tuple(exchanges))


def _records(
    path: Path, unpacker: msgpack.Unpacker, size: int
) -> tuple[Record, int, Iterator[tuple[int, int, Any]]]:
    """The header, the version it names (checked) and the exchange records after it."""
    objects = _objects(path, unpacker, size)
    first = next(objects, None)
    if first is None or first[2] is _TRUNCATED:
        problem = "the file is empty" if first is None else "its header is incomplete"
        raise CassetteError(f"{path} is not a pretenders cassette (byte 0: {problem})")
    try:
        version = version_of(first[2])
        migrate.check(version)
    except CassetteError as e:
        raise CassetteError(f"{path} cannot be read (byte 0: {e})") from None
    return first[2], version, objects


class Reader:
    """Streams a cassette's exchanges one record at a time, so big files never sit in memory.

    Strict by default (damage raises CassetteError, a truncated tail ends the stream and sets
    `truncated_at`); `lenient` stops at the first bad record instead, noting where and why, which
    is what `pretenders cassette repair` keeps.
    """

    def __init__(self, path: Path, *, lenient: bool = False) -> None:
        self.path = path
        self.lenient = lenient
        self.truncated_at: int | None = None
        self.problem: str | None = None
        """Why reading stopped early (a lenient reader's damage, or a truncated tail)."""
        try:
            self._stream = path.open("rb")
            self.size = os.fstat(self._stream.fileno()).st_size
        except OSError as e:
            raise CassetteError(f"cannot read cassette {path}: {e.strerror or e}") from e
        try:
            head, self.version, self._objects = _records(path, _unpacker(self._stream), self.size)
        except BaseException:
            self.close()
            raise
        self.header: Record = head

    def __iter__(self) -> Iterator[Stored]:
        offset = 0
        try:
            for offset, _, item in self._objects:
                if item is _TRUNCATED:
                    self.truncated_at, self.problem = offset, "the last record is incomplete"
                    return
                try:
                    exchange = from_record(migrate.upgrade(item, self.version))
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
    """Up to `limit` exchanges after the first `offset`; the records around them are skipped
    undecoded. CassetteError naming the file and byte when it is no cassette or damaged."""
    pages.check(offset, limit)
    try:
        with path.open("rb") as stream:
            return _page(path, stream, offset, limit)
    except OSError as e:
        raise CassetteError(f"cannot read cassette {path}: {e.strerror or e}") from e


def _page(path: Path, stream: IO[bytes], offset: int, limit: int) -> pages.Page:
    size = os.fstat(stream.fileno()).st_size
    unpacker = _unpacker(stream)
    version = _records(path, unpacker, size)[1]  # reads the header; the records follow
    exchanges: list[Exchange] = []
    total = 0
    while (start := unpacker.tell()) < size:
        try:
            if offset <= total < offset + limit:
                exchanges.append(from_record(migrate.upgrade(unpacker.unpack(), version)))
            else:
                unpacker.skip()
        except msgpack.OutOfData:
            return pages.Page(path, total, offset, tuple(exchanges), truncated=True)
        except (ValueError, TypeError, msgpack.UnpackException, CassetteError) as e:
            raise CassetteError(f"{path} is damaged (byte {start}: {e})") from None
        total += 1
    return pages.Page(path, total, offset, tuple(exchanges))


def _unpacker(stream: IO[bytes]) -> msgpack.Unpacker:
    return msgpack.Unpacker(
        stream, raw=False, strict_map_key=True, max_buffer_size=MAX_RECORD, read_size=1 << 20
    )


def _objects(path: Path, unpacker: msgpack.Unpacker, size: int) -> Iterator[tuple[int, int, Any]]:
    """(offset, end, object) for each msgpack object; (offset, size, _TRUNCATED) for a cut tail."""
    offset = 0
    while offset < size:
        try:
            item = unpacker.unpack()
        except msgpack.OutOfData:
            yield offset, size, _TRUNCATED
            return
        except (ValueError, TypeError, msgpack.UnpackException) as e:
            what = "is not a pretenders cassette" if offset == 0 else "is damaged"
            raise CassetteError(f"{path} {what} (byte {offset}: not msgpack: {e})") from None
        end = unpacker.tell()
        yield offset, end, item
        offset = end


type Stamp = tuple[int, int, int, int]
"""What says a file is still the one indexed: device, inode, size, modification time (ns)."""


def stamp_of(status: os.stat_result) -> Stamp:
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


class ResponseReader:
    """Reads the responses of one indexed cassette when they are played (os.pread).

    The file must stay as it was indexed: once it changed (another size, modification time or
    file at its path), every read fails with a CassetteError saying so. Only the appends of
    this process's own writer of the file (`follows`) are taken in stride.
    """

    def __init__(
        self, path: Path, version: int, stamp: Stamp, follows: "Callable[[], Writer | None]"
    ) -> None:
        self.path = path
        self.version = version
        self.stamp = stamp
        self.follows = follows

    def response_at(self, offset: int, length: int) -> Response:
        """The response of the record at `offset`; CassetteError if the file changed or fails."""
        try:
            descriptor = os.open(self.path, os.O_RDONLY)
        except OSError as e:
            raise CassetteError(f"cannot read cassette {self.path}: {e.strerror or e}") from e
        try:
            self._check(stamp_of(os.fstat(descriptor)))
            data = os.pread(descriptor, length, offset)
        except OSError as e:
            raise CassetteError(f"cannot read cassette {self.path}: {e.strerror or e}") from e
        finally:
            os.close(descriptor)
        try:
            record = msgpack.unpackb(data, raw=False, strict_map_key=True)
            return response_from_record(migrate.upgrade(record, self.version))
        except (ValueError, TypeError, msgpack.UnpackException, CassetteError) as e:
            raise CassetteError(f"{self.path} is damaged (byte {offset}: {e})") from None

    def _check(self, now: Stamp) -> None:
        if now == self.stamp:
            return
        writer = self.follows()
        if writer is not None and writer.stamp == now and now[:2] == self.stamp[:2]:
            self.stamp = now  # our own append: the indexed records are where they were
            return
        raise CassetteError(
            f"cassette {self.path} changed on disk since it was loaded "
            "(its size or modification time differ); set the session's mode again to reload it"
        )


@dataclass(frozen=True, slots=True)
class Entry:
    """One exchange of an indexed cassette: its request, and its response left on disk."""

    reader: ResponseReader
    offset: int
    length: int
    request: Request
    status: int

    def response(self) -> Response:
        return self.reader.response_at(self.offset, self.length)


@dataclass(frozen=True, slots=True)
class Indexed:
    """What indexing a cassette found (as Loaded, with the responses left on disk)."""

    path: Path
    version: int
    entries: tuple[Entry, ...]
    truncated_at: int | None = None

    @property
    def warning(self) -> str | None:
        return _cut_short(self.path, self.truncated_at, len(self.entries))


def index(
    path: Path,
    follows: "Callable[[], Writer | None]" = lambda: None,
    cache: Path | None = None,
) -> Indexed:
    """The requests of the cassette at `path` and where each record lies, for replay.

    Errors as `read`; `follows` gives this process's writer of the file, if any (see
    ResponseReader).
    `cache`: a directory keeping each index made (marshal, keyed by the cassette's path and
    stamp), so that the next start with an unchanged cassette reads it instead.
    """
    try:
        with path.open("rb") as stream:
            status = os.fstat(stream.fileno())
            stamp = stamp_of(status)
            cached = _cached(cache, path, stamp, follows)
            if cached is not None:
                return _warned(cached)
            head, version, records = _records(path, _unpacker(stream), status.st_size)
            del head
            rows: list[_Row] = []
            add = rows.append
            upgrade = migrate.upgrade
            truncated_at = None
            for offset, end, item in records:
                if item is _TRUNCATED:
                    truncated_at = offset
                    break
                try:
                    record = upgrade(item, version)
                    request = request_from_record(record)
                    status_code = _status(record)
                except CassetteError as e:
                    raise CassetteError(f"{path} is damaged (byte {offset}: {e})") from None
                add((offset, end - offset, request, status_code))
        if cache is not None:
            _keep(cache, path, stamp, (version, rows, truncated_at))
        return _indexed(path, ResponseReader(path, version, stamp, follows), rows, truncated_at)
    except OSError as e:
        raise CassetteError(f"cannot read cassette {path}: {e.strerror or e}") from e


type _Row = tuple[int, int, Request, int]
"""offset, length, request, status"""


def _indexed(
    path: Path, reader: ResponseReader, rows: Iterable[_Row], truncated_at: int | None
) -> Indexed:
    entries = tuple([Entry(reader, *row) for row in rows])
    return _warned(Indexed(path, reader.version, entries, truncated_at))


def _warned(indexed: Indexed) -> Indexed:
    if indexed.warning is not None:
        logger.warning("%s", indexed.warning)
    return indexed


_CACHE_FORMAT = "pretenders-cassette-index 1"


def _cache_file(cache: Path, path: Path) -> Path:
    return cache / (hashlib.sha256(str(path).encode()).hexdigest()[:32] + ".index")


def _keep(cache: Path, path: Path, stamp: Stamp, found: tuple[int, list[_Row], int | None]) -> None:
    """Save an index for the next start (marshal: plain tuples); a failure only costs speed."""
    version, rows, truncated_at = found
    plain = [(*row[:2], *_request_fields(row[2]), row[3]) for row in rows]
    try:
        cache.mkdir(parents=True, exist_ok=True)
        target = _cache_file(cache, path)
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(
            marshal.dumps((_CACHE_FORMAT, str(path), stamp, version, truncated_at, plain))
        )
        os.replace(temporary, target)
    except (OSError, ValueError) as e:
        logger.debug("the index of %s is not cached: %s", path, e)
        return
    _prune(cache)


CACHE_DAYS = 30
"""An index nobody read for this long is deleted (its cassette moved, or is gone)."""


def _prune(cache: Path) -> None:
    stale = time.time() - CACHE_DAYS * 86400
    for saved in cache.glob("*.index"):
        with suppress(OSError):
            if saved.stat().st_mtime < stale:
                saved.unlink()


def _cached(
    cache: Path | None, path: Path, stamp: Stamp, follows: "Callable[[], Writer | None]"
) -> Indexed | None:
    """The saved index of `path` if it was made from the file as it is now (same stamp)."""
    if cache is None:
        return None
    try:
        saved = marshal.loads(_cache_file(cache, path).read_bytes())
        form, where, saved_stamp, version, truncated_at, plain = saved
        if form != _CACHE_FORMAT or where != str(path) or tuple(saved_stamp) != stamp:
            return None
        with suppress(OSError):
            os.utime(_cache_file(cache, path))  # read now: not stale (see _prune)
        reader = ResponseReader(path, version, stamp, follows)
        entries = tuple(
            [Entry(reader, row[0], row[1], Request(*row[2:11]), row[11]) for row in plain]
        )
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return Indexed(path, version, entries, truncated_at)


def _request_fields(request: Request) -> tuple[object, ...]:
    """A request's fields in the order Request(...) takes them."""
    return (
        request.method,
        request.path,
        request.query,
        request.headers,
        request.body,
        request.scheme,
        request.host,
        request.port,
        request.http_version,
    )


def _status(record: Record) -> int:
    """The response status; the rest of the response is checked when it is played."""
    response = record.get("response")
    status = response.get("status") if isinstance(response, dict) else None
    if isinstance(status, int) and not isinstance(status, bool):
        return status
    return response_from_record(record).status  # raises, naming what is wrong


def rewrite(path: Path, head: Record, exchanges: Iterable[Exchange]) -> None:
    """Write a whole cassette beside `path` as a temporary file, then replace `path` with it."""
    with replacing(path) as stream:
        stream.write(pack(head))
        for exchange in exchanges:
            stream.write(pack(to_record(exchange)))


@contextmanager
def replacing(path: Path) -> Iterator[IO[bytes]]:
    """A stream to a temporary file beside `path` that replaces `path` when the block ends
    without an error (and is deleted when it does not): readers never see half a file."""
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(descriptor, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        if path.exists():
            shutil.copymode(path, temporary)
        else:
            os.chmod(temporary, 0o644)  # mkstemp's 0600 would surprise whoever shares the file
        os.replace(temporary, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def write(path: Path, exchanges: Iterable[Exchange]) -> None:
    """A new cassette at `path` holding `exchanges` (atomically replacing any file there)."""
    try:
        rewrite(path, header(datetime.now(UTC)), exchanges)
    except OSError as e:
        raise CassetteError(f"cannot write cassette {path}: {e.strerror or e}") from e


class Writer:
    """Appends exchanges to one cassette and flushes each, so a killed recorder loses none."""

    def __init__(self, path: Path, stream: IO[bytes], count: int) -> None:
        self.path = path
        self.count = count
        self._stream = stream
        self._broken: str | None = None
        self.stamp: Stamp = stamp_of(os.fstat(stream.fileno()))
        """The file as this writer left it (a ResponseReader of the file accepts its appends)."""

    @classmethod
    def open(cls, path: Path) -> "Writer":
        """Start a new cassette, or continue an existing one (upgrading or mending it first)."""
        try:
            if path.exists() and path.stat().st_size > 0:
                indexed = index(path)
                count = len(indexed.entries)
                if indexed.truncated_at is not None or indexed.version != VERSION:
                    loaded = read(path)
                    head = dict(loaded.header, version=VERSION)
                    rewrite(path, head, (s.exchange for s in loaded.exchanges))
                return cls(path, path.open("ab", buffering=0), count)
            stream = path.open("wb", buffering=0)
            _write_all(stream, pack(header(datetime.now(UTC))))
            return cls(path, stream, 0)
        except OSError as e:
            raise CassetteError(f"cannot write cassette {path}: {e.strerror or e}") from e

    def append(self, exchange: Exchange) -> int:
        """Append one exchange, flushed, and return its byte offset; CassetteError if that fails."""
        if self._broken is not None:
            raise CassetteError(f"cassette {self.path} stopped recording: {self._broken}")
        data = pack(to_record(exchange))
        # Not tell(): after a failed write was cut off, the position is past the real end.
        offset = self._stream.seek(0, os.SEEK_END)
        try:
            _write_all(self._stream, data)
        except OSError as e:
            self._undo(offset, e)
            raise CassetteError(f"cannot append to cassette {self.path}: {e.strerror or e}") from e
        self.count += 1
        with suppress(OSError):
            self.stamp = stamp_of(os.fstat(self._stream.fileno()))
        return offset

    def _undo(self, offset: int, error: OSError) -> None:
        """Cut a partly written record off, so later appends do not follow garbage."""
        try:
            os.ftruncate(self._stream.fileno(), offset)
            self.stamp = stamp_of(os.fstat(self._stream.fileno()))
        except OSError:
            self._broken = f"a failed write ({error.strerror or error}) could not be undone"

    def close(self) -> None:
        with suppress(OSError):
            self._stream.close()

    @property
    def closed(self) -> bool:
        return self._stream.closed


def _write_all(stream: IO[bytes], data: bytes) -> None:
    """Write all of `data` to an unbuffered file: nothing waits in a buffer to be lost."""
    view = memoryview(data)
    while view:
        written = stream.write(view)
        if not written:
            raise OSError(f"the file took no bytes ({len(view)} left to write)")
        view = view[written:]
