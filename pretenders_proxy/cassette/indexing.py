"""Replay's index of a cassette: the requests and where each item lies, so that replaying a
large cassette does not hold its bodies in memory. A `ResponseReader` reads a response from disk
(os.pread) when it is played; indexes are cached in the confdir (marshal) for the next start.

With `reading` and `scan`, the only modules that read cassette files.
"""

import hashlib
import logging
import marshal
import os
import tempfile
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import msgpack

from pretenders_proxy.cassette import migrate, regular
from pretenders_proxy.cassette.codec import Matching, conversation_from_item, response_from_item
from pretenders_proxy.cassette.reading import Stamp, cut_short_warning, problem_of, stamp_of
from pretenders_proxy.cassette.scan import Found, scan
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.http import Request, Response, quick_request
from pretenders_proxy.model.stream import Conversation

logger = logging.getLogger(__name__)

RECENT_MAX, RECENT_BYTES, RECENT_BODY_MAX = 256, 8 * 1024 * 1024, 1024 * 1024
"""What a ResponseReader keeps of the responses it read: the latest 256, 8 MiB of bodies in
all, none above 1 MiB (a large body costs its read less than its memory)."""


class ResponseReader:
    """Reads the responses of one indexed cassette when they are played (os.pread).

    The file must stay as it was indexed: once it changed (another size, modification time or
    file at its path), every read fails with a CassetteError saying so. Only the appends of
    this process's own writer of the file are taken in stride: `follows` gives the stamp that
    writer left the file with (None: no writer).
    """

    def __init__(
        self, path: Path, version: int, stamp: Stamp, follows: Callable[[], Stamp | None]
    ) -> None:
        self.path = path
        self.version = version
        self.stamp = stamp
        self.follows = follows
        self.recent: dict[int, Response] = {}
        """Responses read lately, by offset: replaying one again checks the file (a stat) but
        neither reads nor decodes it. The items of a file that is as it was never change."""
        self.recent_bytes = 0

    def response_at(self, offset: int, length: int) -> Response:
        """The response of the item at `offset`; CassetteError if the file changed or fails."""
        kept = self.recent.get(offset)
        if kept is not None:
            self._check_path()
            return kept
        response = self._read(offset, length, response_from_item)
        self._keep(offset, response)
        return response

    def _check_path(self) -> None:
        """As `_read` checks the file it opens: still a regular file, as it was indexed."""
        try:
            status = os.stat(self.path)
        except OSError as e:
            raise CassetteError(f"cannot read cassette {self.path}: {e.strerror or e}") from e
        regular.check(self.path, status.st_mode)
        self._check(stamp_of(status))

    def _keep(self, offset: int, response: Response) -> None:
        size, recent = len(response.body), self.recent
        if size > RECENT_BODY_MAX:
            return
        while recent and (len(recent) >= RECENT_MAX or self.recent_bytes + size > RECENT_BYTES):
            self.recent_bytes -= len(recent.pop(next(iter(recent))).body)  # the oldest
        recent[offset] = response
        self.recent_bytes += size

    def aged_at(self, offset: int, length: int) -> tuple[Response, str]:
        """The response of the item at `offset` and its `meta.recorded_at` ("" if none), read
        at once (what replay with --max-age plays); as `response_at`."""
        return self._read(offset, length, _aged)

    def conversation_at(self, offset: int, length: int) -> Conversation | None:
        """The WebSocket conversation of the item at `offset` (None: none); as `response_at`."""

        def found(item: object) -> Conversation | None:
            websocket = item.get("websocket") if isinstance(item, dict) else None
            return None if websocket is None else conversation_from_item(websocket)

        return self._read(offset, length, found)

    def _read[T](self, offset: int, length: int, take: Callable[[object], T]) -> T:
        try:
            descriptor = regular.open_descriptor(self.path)
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
            item = msgpack.unpackb(data, raw=False, strict_map_key=True)
            return take(migrate.upgrade(item, self.version))
        except (ValueError, TypeError, msgpack.UnpackException, CassetteError) as e:
            problem = problem_of(e)
            raise CassetteError(f"{self.path} is damaged (byte {offset}: {problem})") from None

    def _check(self, now: Stamp) -> None:
        if now == self.stamp:
            return
        if self.follows() == now and now[:2] == self.stamp[:2]:
            self.stamp = now  # our own append: the indexed items are where they were
            return
        raise CassetteError(
            f"cassette {self.path} changed on disk since it was loaded "
            "(its size or modification time differ); set the session's mode again to reload it"
        )


def _aged(item: object) -> tuple[Response, str]:
    response = response_from_item(item)
    meta = item.get("meta") if isinstance(item, dict) else None
    recorded_at = meta.get("recorded_at") if isinstance(meta, dict) else None
    return response, recorded_at if isinstance(recorded_at, str) else ""


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
    matching: Matching = ((), None)
    """The ignore SPECs and match_on fields the cassette's header stores."""

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
    follows: Callable[[], Stamp | None] = lambda: None,
    cache: Path | None = None,
) -> Indexed:
    """The requests of the cassette at `path` and where each item lies, for replay.

    Errors as `read`; `follows` gives the stamp this process's own writer of the file left it
    with, if any (see ResponseReader).
    `cache`: a directory keeping each index made (marshal, keyed by the cassette's path and
    stamp), so that the next start with an unchanged cassette reads it instead.
    """
    try:
        with regular.open_read(path) as stream:
            status = os.fstat(stream.fileno())
            stamp = stamp_of(status)
            cached = _cached(cache, path, stamp, follows)
            if cached is not None:
                return _warned(cached)
            found = scan(path, stream, status.st_size)
        if cache is not None:
            _keep(cache, path, stamp, found)
        return _warned(_indexed(path, ResponseReader(path, found.version, stamp, follows), found))
    except OSError as e:
        raise CassetteError(f"cannot read cassette {path}: {e.strerror or e}") from e


def _indexed(path: Path, reader: ResponseReader, found: Found) -> Indexed:
    requests = tuple(map(quick_request, *found.fields))
    return Indexed(
        path,
        found.version,
        reader,
        tuple(found.offsets),
        tuple(found.lengths),
        requests,
        tuple(found.statuses),
        found.truncated_at,
        found.matching,
    )


def _warned(indexed: Indexed) -> Indexed:
    if indexed.warning is not None:
        logger.warning("%s", indexed.warning)
    return indexed


_CACHE_FORMAT = "pretenders-cassette-index 3"
"""3: the header's matching (ignore, match_on) is kept too."""


def _cache_file(cache: Path, path: Path) -> Path:
    return cache / (hashlib.sha256(str(path).encode()).hexdigest()[:32] + ".index")


def _keep(cache: Path, path: Path, stamp: Stamp, found: Found) -> None:
    """Save an index for the next start (marshal: plain lists); a failure only costs speed.

    Written to a temporary file of its own, then renamed: loads of the same cassette at the
    same time (other processes, other threads) each write a whole index, the last one stays.
    """
    columns = (found.offsets, found.lengths, found.statuses, found.fields, found.matching)
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
    cache: Path | None, path: Path, stamp: Stamp, follows: Callable[[], Stamp | None]
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
        offsets, lengths, statuses, request_fields, (ignore, match_on) = columns
        matching = (tuple(ignore), None if match_on is None else tuple(match_on))
        found = Found(version, truncated_at, offsets, lengths, statuses, request_fields, matching)
        return _indexed(path, ResponseReader(path, version, stamp, follows), found)
    except (OSError, EOFError, ValueError, TypeError):
        return None
