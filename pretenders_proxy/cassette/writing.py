"""Writing cassette files: a whole cassette replaced in one step, or one appended exchange at a
time (flushed, so a killed recorder loses nothing it completed)."""

import fcntl
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import IO

import msgpack

from pretenders_proxy.cassette import regular
from pretenders_proxy.cassette.codec import VERSION, Item, header, to_item
from pretenders_proxy.cassette.reading import Stamp, read, stamp_of
from pretenders_proxy.cassette.scan import scan
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.exchange import Exchange

logger = logging.getLogger(__name__)


def pack(item: Item) -> bytes:
    return msgpack.packb(item, use_bin_type=True)  # type: ignore[no-any-return]


def rewrite(path: Path, head: Item, exchanges: Iterable[Exchange]) -> None:
    """Write a whole cassette beside `path` as a temporary file, then replace `path` with it."""
    with replacing(path) as stream:
        stream.write(pack(head))
        for exchange in exchanges:
            stream.write(pack(to_item(exchange)))


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

    def __init__(
        self, path: Path, stream: IO[bytes], count: int, mended: str | None = None
    ) -> None:
        self.path = path
        self.count = count
        self.mended = mended
        """What opening the cassette had to rewrite (a cut-short tail, an older version), if any."""
        self._stream = stream
        self._broken: str | None = None
        self.stamp: Stamp = stamp_of(os.fstat(stream.fileno()))
        """The file as this writer left it (a ResponseReader of the file accepts its appends)."""

    @classmethod
    def open(cls, path: Path, head: Mapping[str, object] = MappingProxyType({})) -> "Writer":
        """Start a new cassette (its header with `head`'s keys too), or continue an existing one.

        One whose last record was cut short (a killed recorder) or that an older version wrote
        is rewritten first, keeping every complete exchange; `mended` says so, and so does the
        log: a file is never changed unannounced."""
        try:
            if not (path.exists() and path.stat().st_size > 0):
                stream = regular.open_write(path, append=True)
                with locked(stream):  # another process may be starting the same file
                    if os.fstat(stream.fileno()).st_size == 0:
                        _write_all(stream, pack({**header(datetime.now(UTC)), **head}))
                        return cls(path, stream, 0)
                stream.close()  # it was first: record on after its header
            return cls._continue(path)
        except OSError as e:
            raise CassetteError(f"cannot write cassette {path}: {e.strerror or e}") from e

    @classmethod
    def _continue(cls, path: Path) -> "Writer":
        with regular.open_read(path) as stream:
            found = scan(path, stream, os.fstat(stream.fileno()).st_size)
        count, mended = len(found.offsets), None
        if found.truncated_at is not None:
            mended = (
                f"{path}: the incomplete last record (from byte {found.truncated_at}) was "
                f"dropped before recording on; the {count} complete exchanges are kept"
            )
        elif found.version != VERSION:
            mended = f"{path}: rewritten from cassette version {found.version} to {VERSION}"
        if mended is not None:
            loaded = read(path)
            rewrite(
                path, dict(loaded.header, version=VERSION), (s.exchange for s in loaded.exchanges)
            )
            logger.warning("%s", mended)
        return cls(path, regular.open_write(path, append=True), count, mended)

    def append(self, exchange: Exchange) -> int:
        """Append one exchange, flushed, and return its byte offset; CassetteError if that fails."""
        if self._broken is not None:
            raise CassetteError(f"cassette {self.path} stopped recording: {self._broken}")
        data = pack(to_item(exchange))
        try:
            with locked(self._stream):  # other processes recording the same file wait
                # Not tell(): after a failed write was cut off, the position is past the end.
                offset = self._stream.seek(0, os.SEEK_END)
                try:
                    _write_all(self._stream, data)
                except OSError as e:
                    self._undo(offset, e)
                    raise
        except OSError as e:
            raise CassetteError(f"cannot append to cassette {self.path}: {e.strerror or e}") from e
        self.count += 1
        with suppress(OSError):
            self.stamp = stamp_of(os.fstat(self._stream.fileno()))
        return offset

    def _undo(self, offset: int, error: OSError) -> None:
        """Cut a partly written item off, so later appends do not follow garbage."""
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


@contextmanager
def locked(stream: IO[bytes]) -> Iterator[None]:
    """Hold the file's exclusive lock (flock): instances sharing a cassette directory append
    whole records one at a time, never interleaved, and start a new file once."""
    fcntl.flock(stream.fileno(), fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(stream.fileno(), fcntl.LOCK_UN)


def _write_all(stream: IO[bytes], data: bytes) -> None:
    """Write all of `data` to an unbuffered file: nothing waits in a buffer to be lost."""
    view = memoryview(data)
    while view:
        written = stream.write(view)
        if not written:
            raise OSError(f"the file took no bytes ({len(view)} left to write)")
        view = view[written:]
