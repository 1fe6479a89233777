"""Replay's index of a cassette: the requests and where each record lies, so that replaying a
large cassette does not hold its bodies in memory. A `ResponseReader` reads a response from disk
(os.pread) when it is played; indexes are cached in the confdir (marshal) for the next start.

With `io`, the only module that reads cassette files.
"""

import hashlib
import logging
import marshal
import os
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import msgpack

from pretenders_proxy.cassette import migrate
from pretenders_proxy.cassette.io import (
    TRUNCATED,
    Stamp,
    Writer,
    cut_short_warning,
    open_records,
    stamp_of,
    unpacker_of,
)
from pretenders_proxy.cassette.record import Record, request_from_record, response_from_record
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.http import Request, Response

logger = logging.getLogger(__name__)


class ResponseReader:
    """Reads the responses of one indexed cassette when they are played (os.pread).

    The file must stay as it was indexed: once it changed (another size, modification time or
    file at its path), every read fails with a CassetteError saying so. Only the appends of
    this process's own writer of the file (`follows`) are taken in stride.
    """

    def __init__(
        self, path: Path, version: int, stamp: Stamp, follows: Callable[[], Writer | None]
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
        return cut_short_warning(self.path, self.truncated_at, len(self.entries))


def index(
    path: Path,
    follows: Callable[[], Writer | None] = lambda: None,
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
            head, version, records = open_records(path, unpacker_of(stream), status.st_size)
            del head
            rows: list[_Row] = []
            add = rows.append
            upgrade = migrate.upgrade
            truncated_at = None
            for offset, end, item in records:
                if item is TRUNCATED:
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
    cache: Path | None, path: Path, stamp: Stamp, follows: Callable[[], Writer | None]
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
