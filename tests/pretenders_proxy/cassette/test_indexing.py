import os
import time
from pathlib import Path

import pytest

from pretenders_proxy.cassette import indexing, io
from pretenders_proxy.cassette.record import FORMAT, to_record
from pretenders_proxy.errors import CassetteError
from tests.pretenders_proxy.factories import exchange, request

EXCHANGES = [exchange(request(path=f"/{n}".encode()), body=bytes([n]) * n) for n in range(1, 4)]


def test_the_index_keeps_requests_and_reads_each_response_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    io.write(path, EXCHANGES)
    indexed = indexing.index(path)
    assert [e.request for e in indexed.entries] == [x.request for x in EXCHANGES]
    assert [e.status for e in indexed.entries] == [x.response.status for x in EXCHANGES]
    assert [e.offset for e in indexed.entries] == [s.offset for s in io.read(path).exchanges]
    assert [e.response() for e in reversed(indexed.entries)] == [
        x.response for x in reversed(EXCHANGES)
    ]


def test_the_index_of_a_cut_cassette_leaves_the_tail_out(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    io.write(path, EXCHANGES)
    os.truncate(path, path.stat().st_size - 3)
    indexed = indexing.index(path)
    assert len(indexed.entries) == 2 and indexed.truncated_at is not None
    assert indexed.warning is not None and "incomplete" in indexed.warning


def test_a_cassette_changed_after_indexing_fails_every_read_saying_so(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    io.write(path, EXCHANGES)
    indexed = indexing.index(path)
    io.write(path, list(reversed(EXCHANGES)))  # replaced by another file
    with pytest.raises(CassetteError, match="changed on disk since it was loaded"):
        indexed.entries[0].response()
    in_place = indexing.index(path)
    with path.open("r+b") as stream:  # changed in place: same file, other bytes and size
        stream.seek(0, os.SEEK_END)
        stream.write(b"\x00")
    with pytest.raises(CassetteError, match=f"{path} changed on disk"):
        in_place.entries[1].response()


def test_replay_follows_the_appends_of_its_own_writer(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    io.write(path, EXCHANGES[:1])
    writer = io.Writer.open(path)
    indexed = indexing.index(path, lambda: writer)
    writer.append(EXCHANGES[1])
    assert indexed.entries[0].response() == EXCHANGES[0].response
    other = indexing.index(path)  # no writer of its own: an append by someone else is a change
    with path.open("ab") as stream:
        stream.write(io.pack(to_record(EXCHANGES[2])))
    with pytest.raises(CassetteError, match="changed on disk"):
        other.entries[0].response()
    with pytest.raises(CassetteError, match="changed on disk"):
        indexed.entries[0].response()
    writer.close()


def test_a_damaged_response_is_refused_naming_its_offset(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    head = io.pack({"format": FORMAT, "version": 1})
    record = to_record(EXCHANGES[0])
    record["response"]["status"] = "200"
    path.write_bytes(head + io.pack(record))
    with pytest.raises(CassetteError, match=r"is damaged \(byte \d+: response.status is a str"):
        indexing.index(path)  # the status is checked when indexing ...
    record = to_record(EXCHANGES[0])
    record["response"]["headers"] = [[b"Content-Type", 1]]
    path.write_bytes(head + io.pack(record))
    (entry,) = indexing.index(path).entries
    message = f"{path} is damaged \\(byte {len(head)}: response.headers has an item that is not"
    with pytest.raises(CassetteError, match=message):
        entry.response()  # ... the rest of the response when it is played


def test_an_index_is_kept_in_the_cache_and_read_back_while_the_file_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, cache = tmp_path / "a.cassette", tmp_path / "cache"
    io.write(path, EXCHANGES)
    made = indexing.index(path, cache=cache)
    assert len(list(cache.glob("*.index"))) == 1

    def not_again(*args: object) -> None:
        raise AssertionError("the cassette was parsed although its index was cached")

    with monkeypatch.context() as patched:
        patched.setattr(indexing, "open_records", not_again)
        again = indexing.index(path, cache=cache)
    assert [(e.offset, e.length, e.request, e.status) for e in again.entries] == [
        (e.offset, e.length, e.request, e.status) for e in made.entries
    ]
    assert [e.response() for e in again.entries] == [x.response for x in EXCHANGES]


def test_a_changed_cassette_or_a_broken_cache_file_is_indexed_anew(tmp_path: Path) -> None:
    path, cache = tmp_path / "a.cassette", tmp_path / "cache"
    io.write(path, EXCHANGES[:2])
    indexing.index(path, cache=cache)
    writer = io.Writer.open(path)
    writer.append(EXCHANGES[2])
    writer.close()
    assert [e.request for e in indexing.index(path, cache=cache).entries] == [
        x.request for x in EXCHANGES
    ]
    (saved,) = cache.glob("*.index")
    saved.write_bytes(b"\x00not marshal")
    assert len(indexing.index(path, cache=cache).entries) == 3
    os.truncate(path, path.stat().st_size - 3)
    cut = indexing.index(path, cache=cache)
    assert len(cut.entries) == 2 and cut.truncated_at is not None
    assert indexing.index(path, cache=cache).truncated_at == cut.truncated_at  # from the cache


def test_indexes_nobody_read_for_a_month_are_deleted(tmp_path: Path) -> None:
    path, cache = tmp_path / "a.cassette", tmp_path / "cache"
    io.write(path, EXCHANGES)
    indexing.index(path, cache=cache)
    (kept,) = cache.glob("*.index")
    month = time.time() - (indexing.CACHE_DAYS + 1) * 86400
    os.utime(kept, (month, month))
    indexing.index(path, cache=cache)  # read from the cache: that makes it recent again
    assert kept.stat().st_mtime > month
    gone = cache / "0123.index"
    gone.write_bytes(b"an index of a cassette that moved")
    os.utime(gone, (month, month))
    other = tmp_path / "b.cassette"
    io.write(other, EXCHANGES[:1])
    indexing.index(other, cache=cache)  # a new index: stale ones go
    assert not gone.exists() and kept.exists() and len(list(cache.glob("*.index"))) == 2
