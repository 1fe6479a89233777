"""Replay's index of a cassette: the requests and where each record lies, so that replaying a
large cassette does not hold its bodies in memory. A `ResponseReader` reads a response from disk
(os.pread) when it is played; indexes are cached in the confdir (marshal) for the next start.

With `io`, the only module that reads cassette files.
"""

import hashlib
import logging
import marshal
import os
import tempfile
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, fields
from itertools import chain
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import IO, Any

import msgpack

from pretenders_proxy.cassette import migrate
from pretenders_proxy.cassette.io import (
    MAX_RECORD,
    TRUNCATED,
    Stamp,
    Writer,
    cut_short_warning,
    open_records,
    stamp_of,
    unpacker_of,
)
from pretenders_proxy.cassette.record import (
    FORMAT,
    VERSION,
    Record,
    request_from_record,
    response_from_record,
)
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.frozen import maker
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
class Indexed:
    """What indexing a cassette found (as Loaded, with the responses left on disk): for each
    complete exchange in recorded order, its record's offset and length, request and status.

    Columns rather than an object per exchange: a big cassette's index is built at every start.
    """

    path: Path
    version: int
    reader: ResponseReader
    offsets: tuple[int, ...]
    lengths: tuple[int, ...]
    requests: tuple[Request, ...]
    statuses: tuple[int, ...]
    truncated_at: int | None = None

    def __len__(self) -> int:
        return len(self.offsets)

    def response(self, number: int) -> Response:
        """The response of exchange `number` (from 0), read from the file now."""
        return self.reader.response_at(self.offsets[number], self.lengths[number])

    @property
    def warning(self) -> str | None:
        return cut_short_warning(self.path, self.truncated_at, len(self))


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
            found = _quick(stream, status.st_size)
            if found is None:  # not the usual cassette: the checks name what is wrong in it
                stream.seek(0)
                found = _checked(path, stream, status.st_size)
        if cache is not None:
            _keep(cache, path, stamp, found)
        return _warned(_indexed(path, ResponseReader(path, found.version, stamp, follows), found))
    except OSError as e:
        raise CassetteError(f"cannot read cassette {path}: {e.strerror or e}") from e


@dataclass(frozen=True, slots=True)
class _Found:
    """An index as plain columns (what the cache keeps): `fields` are Request's, in its order."""

    version: int
    truncated_at: int | None
    offsets: list[int]
    lengths: list[int]
    statuses: list[int]
    fields: list[list[Any]]


_REQUEST_FIELDS = tuple(field.name for field in fields(Request))
_KINDS: dict[str, type] = {
    "method": str,
    "path": bytes,
    "query": bytes,
    "headers": tuple,
    "body": bytes,
    "scheme": str,
    "host": str,
    "port": int,
    "http_version": str,
}
"""The exact type of each request field in a record `_quick` takes (anything else: `_checked`)."""
_REQUEST_KINDS = tuple(_KINDS[name] for name in _REQUEST_FIELDS)
_fields_of = itemgetter(*_REQUEST_FIELDS)
_make_request = maker(Request)
_RECORD_KEYS = frozenset({"request", "response", "meta"})
_RESPONSE_KEYS = frozenset({"status", "reason", "http_version", "headers", "body", "trailers"})


def _quick(stream: IO[bytes], size: int) -> _Found | None:
    """The index of a cassette as pretenders writes it, or None for anything else (an older
    version, an unknown key, a wrong type, damage): `_checked` then says what is wrong.

    Only each record's request and response status are decoded; its other parts are skipped
    (they are checked when played). The types are checked over whole columns at once.
    """
    unpacker = msgpack.Unpacker(
        stream,
        raw=False,
        strict_map_key=True,
        max_buffer_size=MAX_RECORD,
        read_size=1 << 20,
        use_list=False,  # headers come as tuples of tuples, as Request holds them
    )
    unpack, skip, map_header = unpacker.unpack, unpacker.skip, unpacker.read_map_header
    offsets: list[int] = []
    lengths: list[int] = []
    statuses: list[Any] = []
    requests: list[Any] = []
    truncated_at = None
    try:
        head = unpack()
        if type(head) is not dict or head.get("format") != FORMAT:
            return None
        if type(head.get("version")) is not int or head["version"] != VERSION:
            return None
        start = unpacker.tell()
        while start < size:
            request = status = None
            try:
                for _ in range(map_header()):
                    key = unpack()
                    if key == "request":
                        request = unpack()
                    elif key == "response":
                        for _ in range(map_header()):
                            part = unpack()
                            if part == "status":
                                status = unpack()
                            elif part in _RESPONSE_KEYS:
                                skip()
                            else:
                                return None
                    elif key in _RECORD_KEYS:
                        skip()
                    else:
                        return None
            except msgpack.OutOfData:
                truncated_at = start
                break
            end = unpacker.tell()
            offsets.append(start)
            lengths.append(end - start)
            statuses.append(status)
            requests.append(request)
            start = end
        columns = _columns(list(map(_fields_of, requests)))
    except (ValueError, TypeError, KeyError, msgpack.UnpackException):
        return None
    if not _usual(statuses, columns):
        return None
    return _Found(VERSION, truncated_at, offsets, lengths, statuses, columns)


def _usual(statuses: list[Any], columns: list[list[Any]]) -> bool:
    """Whether every status and request field has its exact type, headers pairs of bytes."""
    if not set(map(type, statuses)) <= {int}:
        return False
    for column, kind in zip(columns, _REQUEST_KINDS, strict=True):
        if not set(map(type, column)) <= {kind}:
            return False
    pairs = list(chain.from_iterable(columns[_REQUEST_FIELDS.index("headers")]))
    return (
        set(map(type, pairs)) <= {tuple}
        and set(map(len, pairs)) <= {2}
        and set(map(type, chain.from_iterable(pairs))) <= {bytes}
    )


def _checked(path: Path, stream: IO[bytes], size: int) -> _Found:
    """The index made with every record checked: CassetteError naming what is wrong, where."""
    head, version, records = open_records(path, unpacker_of(stream), size)
    del head
    offsets: list[int] = []
    lengths: list[int] = []
    statuses: list[int] = []
    requests: list[Request] = []
    truncated_at = None
    upgrade = migrate.upgrade
    for offset, end, item in records:
        if item is TRUNCATED:
            truncated_at = offset
            break
        try:
            record = upgrade(item, version)
            request = request_from_record(record)
            status = _status(record)
        except CassetteError as e:
            raise CassetteError(f"{path} is damaged (byte {offset}: {e})") from None
        offsets.append(offset)
        lengths.append(end - offset)
        statuses.append(status)
        requests.append(request)
    columns = _columns(list(map(attrgetter(*_REQUEST_FIELDS), requests)))
    return _Found(version, truncated_at, offsets, lengths, statuses, columns)


def _columns(rows: list[tuple[Any, ...]]) -> list[list[Any]]:
    """One list per field of Request, from one tuple of them per request."""
    return [list(column) for column in zip(*rows, strict=True)] or [[] for _ in _REQUEST_FIELDS]


def _indexed(path: Path, reader: ResponseReader, found: _Found) -> Indexed:
    requests = tuple(map(_make_request, *found.fields))
    return Indexed(
        path,
        found.version,
        reader,
        tuple(found.offsets),
        tuple(found.lengths),
        requests,
        tuple(found.statuses),
        found.truncated_at,
    )


def _warned(indexed: Indexed) -> Indexed:
    if indexed.warning is not None:
        logger.warning("%s", indexed.warning)
    return indexed


_CACHE_FORMAT = "pretenders-cassette-index 2"


def _cache_file(cache: Path, path: Path) -> Path:
    return cache / (hashlib.sha256(str(path).encode()).hexdigest()[:32] + ".index")


def _keep(cache: Path, path: Path, stamp: Stamp, found: _Found) -> None:
    """Save an index for the next start (marshal: plain lists); a failure only costs speed.

    Written to a temporary file of its own, then renamed: loads of the same cassette at the
    same time (other processes, other threads) each write a whole index, the last one stays.
    """
    columns = (found.offsets, found.lengths, found.statuses, found.fields)
    try:
        data = marshal.dumps(
            (_CACHE_FORMAT, str(path), stamp, found.version, found.truncated_at, columns)
        )
        cache.mkdir(parents=True, exist_ok=True)
        target = _cache_file(cache, path)
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{target.stem}.", suffix=".tmp", dir=cache
        )
        try:
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(data)
            os.replace(temporary, target)
        except BaseException:
            with suppress(OSError):
                os.unlink(temporary)
            raise
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
        form, where, saved_stamp, version, truncated_at, columns = saved
        if form != _CACHE_FORMAT or where != str(path) or tuple(saved_stamp) != stamp:
            return None
        with suppress(OSError):
            os.utime(_cache_file(cache, path))  # read now: not stale (see _prune)
        offsets, lengths, statuses, request_fields = columns
        found = _Found(version, truncated_at, offsets, lengths, statuses, request_fields)
        return _indexed(path, ResponseReader(path, version, stamp, follows), found)
    except (OSError, EOFError, ValueError, TypeError):
        return None


def _status(record: Record) -> int:
    """The response status; the rest of the response is checked when it is played."""
    response = record.get("response")
    status = response.get("status") if isinstance(response, dict) else None
    if isinstance(status, int) and not isinstance(status, bool):
        return status
    return response_from_record(record).status  # raises, naming what is wrong
