import logging
import os
import stat
from pathlib import Path

import msgpack
import pytest

from pretenders_proxy.cassette import io
from pretenders_proxy.cassette.record import FORMAT, to_record
from pretenders_proxy.errors import CassetteError
from tests.pretenders_proxy.factories import exchange, request

EXCHANGES = [exchange(request(path=f"/{n}".encode()), body=bytes([n]) * n) for n in range(1, 4)]


def test_write_then_read_gives_the_exchanges_and_their_offsets(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    io.write(path, EXCHANGES)
    loaded = io.read(path)
    assert [stored.exchange for stored in loaded.exchanges] == EXCHANGES
    assert loaded.header["format"] == FORMAT and loaded.truncated_at is None
    first = loaded.exchanges[0].offset
    assert path.read_bytes()[first:].startswith(io.pack(to_record(EXCHANGES[0])))
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_the_writer_appends_and_continues_an_existing_cassette(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    writer = io.Writer.open(path)
    offsets = [writer.append(e) for e in EXCHANGES[:2]]
    writer.close()
    again = io.Writer.open(path)
    assert again.count == 2
    again.append(EXCHANGES[2])
    again.close()
    loaded = io.read(path)
    assert [s.exchange for s in loaded.exchanges] == EXCHANGES
    assert [s.offset for s in loaded.exchanges][:2] == offsets


def test_every_append_is_on_disk_at_once(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    writer = io.Writer.open(path)
    writer.append(EXCHANGES[0])
    assert [s.exchange for s in io.read(path).exchanges] == EXCHANGES[:1]  # before close()
    writer.close()


def test_a_truncated_tail_is_left_out_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "a.cassette"
    io.write(path, EXCHANGES)
    cut_at = io.read(path).exchanges[2].offset
    os.truncate(path, path.stat().st_size - 5)
    with caplog.at_level(logging.WARNING):
        loaded = io.read(path)
    assert [s.exchange for s in loaded.exchanges] == EXCHANGES[:2]
    assert loaded.truncated_at == cut_at
    assert f"{path}: the last record (from byte {cut_at}) is incomplete" in caplog.text


def test_the_writer_mends_a_truncated_cassette_before_appending(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    io.write(path, EXCHANGES)
    os.truncate(path, path.stat().st_size - 5)
    writer = io.Writer.open(path)
    writer.append(EXCHANGES[0])
    writer.close()
    loaded = io.read(path)
    assert [s.exchange for s in loaded.exchanges] == [*EXCHANGES[:2], EXCHANGES[0]]
    assert loaded.truncated_at is None
    assert [p.name for p in tmp_path.iterdir()] == ["a.cassette"]  # no temporary file left


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", r"is not a pretenders cassette \(byte 0: the file is empty\)"),
        (b"\xc1\xc1\xc1", r"is not a pretenders cassette \(byte 0: not msgpack"),
        (io.pack({"format": FORMAT}), r"cannot be read \(byte 0: the cassette header has no"),
        (io.pack({"format": "other", "version": 1}), r"byte 0: not a pretenders cassette"),
        (io.pack({"format": FORMAT, "version": 99}), r"byte 0: cassette version 99 is newer"),
        (b"\xdb\xff\xff", r"byte 0: its header is incomplete"),
    ],
)
def test_files_that_are_not_cassettes_are_refused_at_byte_0(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "x.cassette"
    path.write_bytes(content)
    with pytest.raises(CassetteError, match=problem) as refused:
        io.read(path)
    assert str(path) in str(refused.value)


@pytest.mark.parametrize(
    ("garbage", "problem"),
    [
        (b"\xc1", "not msgpack"),
        (msgpack.packb([1, 2]), "an exchange record is a map, not list"),
        (msgpack.packb({1: 2}), "not msgpack: int is not allowed for map key"),
    ],
)
def test_damage_after_good_records_names_its_offset(
    tmp_path: Path, garbage: bytes, problem: str
) -> None:
    path = tmp_path / "a.cassette"
    io.write(path, EXCHANGES)
    good = path.stat().st_size
    with path.open("ab") as stream:
        stream.write(garbage + io.pack(to_record(EXCHANGES[0])))
    with pytest.raises(CassetteError, match=f"is damaged \\(byte {good}: {problem}"):
        io.read(path)


def test_reading_a_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match=f"cannot read cassette {tmp_path}/none"):
        io.read(tmp_path / "none")


def test_the_writer_refuses_a_file_that_is_not_a_cassette(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"\xc1 my notes")
    with pytest.raises(CassetteError, match="is not a pretenders cassette"):
        io.Writer.open(path)
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

    def fileno(self) -> int:
        return self.file.fileno()

    def close(self) -> None:
        self.file.close()


def test_a_failed_append_is_loud_and_leaves_no_partial_record(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    io.write(path, EXCHANGES[:1])
    size = path.stat().st_size
    writer = io.Writer(path, _FullDisk(path), 1)  # type: ignore[arg-type]
    with pytest.raises(CassetteError, match=r"cannot append to cassette .*No space left"):
        writer.append(EXCHANGES[1])
    writer.close()
    assert path.stat().st_size == size
    assert [s.exchange for s in io.read(path).exchanges] == EXCHANGES[:1]


def test_the_reader_streams_what_read_loads(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    io.write(path, EXCHANGES)
    with io.Reader(path) as reader:
        streamed = list(reader)
    assert streamed == list(io.read(path).exchanges)
    assert (reader.problem, reader.truncated_at, reader.version) == (None, None, 1)


def test_the_reader_stops_at_a_truncated_tail_and_says_where(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    io.write(path, EXCHANGES)
    last = io.read(path).exchanges[-1].offset
    path.write_bytes(path.read_bytes()[:-3])
    with io.Reader(path) as reader:
        assert [s.exchange for s in reader] == EXCHANGES[:2]
    assert (reader.truncated_at, reader.problem) == (last, "the last record is incomplete")


def test_a_strict_reader_refuses_damage_a_lenient_one_stops_there(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    io.write(path, EXCHANGES[:2])
    with path.open("ab") as stream:
        stream.write(msgpack.packb({"request": 1}) + io.pack(to_record(EXCHANGES[2])))
    with io.Reader(path) as strict, pytest.raises(CassetteError, match=r"is damaged \(byte \d+"):
        list(strict)
    with io.Reader(path, lenient=True) as lenient:
        assert [s.exchange for s in lenient] == EXCHANGES[:2]
    assert lenient.problem is not None and "request is missing or not a map" in lenient.problem


def test_the_reader_refuses_a_file_that_is_no_cassette(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    path.write_bytes(msgpack.packb({"format": "other"}))
    with pytest.raises(CassetteError, match=r"cannot be read \(byte 0: not a pretenders cassette"):
        io.Reader(path)
    with pytest.raises(CassetteError, match="cannot read cassette"):
        io.Reader(tmp_path / "missing.cassette")
