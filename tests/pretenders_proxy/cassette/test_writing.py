"""Writing cassettes: whole files replaced in one step, appends flushed one exchange at a time."""

import logging
import os
import resource
from pathlib import Path

import pytest

from pretenders_proxy.cassette import reading, writing
from pretenders_proxy.errors import CassetteError
from tests.pretenders_proxy.cassette.test_reading import EXCHANGES
from tests.pretenders_proxy.factories import exchange, request


def test_the_writer_appends_and_continues_an_existing_cassette(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    writer = writing.Writer.open(path)
    offsets = [writer.append(e) for e in EXCHANGES[:2]]
    writer.close()
    again = writing.Writer.open(path)
    assert again.count == 2
    again.append(EXCHANGES[2])
    again.close()
    loaded = reading.read(path)
    assert [s.exchange for s in loaded.exchanges] == EXCHANGES
    assert [s.offset for s in loaded.exchanges][:2] == offsets


def test_every_append_is_on_disk_at_once(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    writer = writing.Writer.open(path)
    writer.append(EXCHANGES[0])
    assert [s.exchange for s in reading.read(path).exchanges] == EXCHANGES[:1]  # before close()
    writer.close()


def test_the_writer_mends_a_truncated_cassette_before_appending(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    writing.write(path, EXCHANGES)
    os.truncate(path, path.stat().st_size - 5)
    writer = writing.Writer.open(path)
    writer.append(EXCHANGES[0])
    writer.close()
    loaded = reading.read(path)
    assert [s.exchange for s in loaded.exchanges] == [*EXCHANGES[:2], EXCHANGES[0]]
    assert loaded.truncated_at is None
    assert [p.name for p in tmp_path.iterdir()] == ["a.cassette"]  # no temporary file left


def test_mending_is_said_not_silent(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "a.cassette"
    writing.write(path, EXCHANGES)
    cut_at = reading.read(path).exchanges[2].offset
    os.truncate(path, path.stat().st_size - 5)
    with caplog.at_level(logging.WARNING):
        writer = writing.Writer.open(path)
    writer.close()
    said = f"{path}: the incomplete last record (from byte {cut_at}) was dropped"
    assert writer.mended is not None and writer.mended.startswith(said)
    assert said in caplog.text
    untouched = writing.Writer.open(path)  # now whole: nothing to say
    untouched.close()
    assert untouched.mended is None


def test_the_writer_refuses_a_file_that_is_not_a_cassette(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"\xc1 my notes")
    with pytest.raises(CassetteError, match="is not a pretenders cassette"):
        writing.Writer.open(path)
    assert path.read_bytes() == b"\xc1 my notes"


class _FullDisk:
    """An unbuffered file that takes a few bytes, then fails as a full disk does."""

    def __init__(self, path: Path) -> None:
        self.file = path.open("ab", buffering=0)
        self.closed = False

    def write(self, data: bytes) -> int:
        self.file.write(bytes(data[:3]))
        raise OSError(28, "No space left on device")

    def tell(self) -> int:
        return self.file.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.file.seek(offset, whence)

    def fileno(self) -> int:
        return self.file.fileno()

    def close(self) -> None:
        self.file.close()


def test_a_failed_append_is_loud_and_leaves_no_partial_item(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    writing.write(path, EXCHANGES[:1])
    size = path.stat().st_size
    writer = writing.Writer(path, _FullDisk(path), 1)  # type: ignore[arg-type]
    with pytest.raises(CassetteError, match=r"cannot append to cassette .*No space left"):
        writer.append(EXCHANGES[1])
    writer.close()
    assert path.stat().st_size == size
    assert [s.exchange for s in reading.read(path).exchanges] == EXCHANGES[:1]


def test_appends_after_a_full_disk_never_leave_a_partial_item(tmp_path: Path) -> None:
    """A real size limit (RLIMIT_FSIZE: EFBIG, as a full disk's ENOSPC): writes succeed in part
    and then fail; every later append must start at the real end of the file."""
    path = tmp_path / "a.cassette"
    big = [exchange(request(path=f"/{n}".encode()), body=b"x" * 5000) for n in range(4)]
    writer = writing.Writer.open(path)
    writer.append(big[0])
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (path.stat().st_size + 7000, hard))
    try:
        writer.append(big[1])
        for failing in big[2:]:
            with pytest.raises(CassetteError, match="cannot append"):
                writer.append(failing)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        writer.close()
    loaded = reading.read(path)
    assert loaded.truncated_at is None
    assert [s.exchange for s in loaded.exchanges] == big[:2]
