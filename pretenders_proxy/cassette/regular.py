"""Opening the files pretenders reads and writes cassettes in, regular files only: a FIFO named as
a cassette blocked the one event loop on open (until a writer came), and a device such as
/dev/zero never ended (issue 15). Every open is non-blocking and checked before it is used."""

import os
import stat
from pathlib import Path
from typing import BinaryIO

from pretenders_proxy.errors import CassetteError

_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
}


def check(path: Path, mode: int) -> None:
    """CassetteError unless `mode` (st_mode) is a regular file's."""
    if not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "no regular file")
        raise CassetteError(f"{path} is {kind}, not a regular file: cassettes are regular files")


def open_read(path: Path) -> BinaryIO:
    """`path` opened for reading; CassetteError unless it is a regular file (OSError as open)."""
    return os.fdopen(_open(path, os.O_RDONLY), "rb")


def open_write(path: Path, *, append: bool) -> BinaryIO:
    """`path` opened unbuffered for writing, created if missing and emptied unless `append`."""
    if path.exists():  # a FIFO without a reader refuses a non-blocking open: say what it is
        check(path, path.stat().st_mode)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    return os.fdopen(_open(path, flags), "ab" if append else "wb", buffering=0)


def read_bytes(path: Path) -> bytes:
    """The whole of the regular file `path`."""
    with open_read(path) as stream:
        return stream.read()


def open_descriptor(path: Path) -> int:
    """A descriptor of `path` for reading (os.pread); CassetteError unless it is regular."""
    return _open(path, os.O_RDONLY)


def _open(path: Path, flags: int) -> int:
    # O_NONBLOCK: opening a FIFO returns at once (and fstat then refuses it)
    descriptor = os.open(path, flags | os.O_NONBLOCK | os.O_CLOEXEC, 0o666)
    try:
        check(path, os.fstat(descriptor).st_mode)
        os.set_blocking(descriptor, True)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor
