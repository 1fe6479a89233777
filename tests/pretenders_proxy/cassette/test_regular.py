"""Cassette files are opened non-blocking and must be regular files (issue 15: a FIFO named as a
cassette hung the process, /dev/zero never ended)."""

import os
from pathlib import Path

import pytest

from pretenders_proxy.cassette import regular
from pretenders_proxy.errors import CassetteError


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "a.cassette"
    os.mkfifo(path)
    return path


@pytest.mark.timeout(10)
def test_a_fifo_is_refused_without_waiting_for_a_writer(fifo: Path) -> None:
    for opening in (
        lambda: regular.open_read(fifo),
        lambda: regular.read_bytes(fifo),
        lambda: regular.open_descriptor(fifo),
        lambda: regular.open_write(fifo, append=True),
        lambda: regular.open_write(fifo, append=False),
    ):
        with pytest.raises(CassetteError, match=f"{fifo} is a FIFO, not a regular file"):
            opening()


@pytest.mark.timeout(10)
def test_a_fifo_with_a_reader_is_refused_for_writing_too(fifo: Path) -> None:
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        with pytest.raises(CassetteError, match="is a FIFO"):
            regular.open_write(fifo, append=True)
    finally:
        os.close(reader)


@pytest.mark.parametrize(
    ("path", "kind"), [(Path("/dev/zero"), "a device"), (Path("/"), "a directory")]
)
def test_devices_and_directories_are_refused(path: Path, kind: str) -> None:
    with pytest.raises(CassetteError, match=f"{path} is {kind}, not a regular file"):
        regular.open_read(path)


def test_regular_files_read_and_write_as_before(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    with regular.open_write(path, append=False) as stream:
        stream.write(b"one")
    with regular.open_write(path, append=True) as stream:
        stream.write(b"two")
    assert regular.read_bytes(path) == b"onetwo"
    with regular.open_read(path) as stream:
        assert stream.read(3) == b"one"
    descriptor = regular.open_descriptor(path)
    try:
        assert os.pread(descriptor, 3, 3) == b"two"
    finally:
        os.close(descriptor)
    with pytest.raises(FileNotFoundError):
        regular.open_read(tmp_path / "missing.cassette")
