import os
import time
from dataclasses import replace
from pathlib import Path

import pytest

from pretenders_proxy.cassette import indexing, reading, writing
from pretenders_proxy.cassette.codec import FORMAT, to_item
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.exchange import Meta
from tests.pretenders_proxy.factories import exchange, request

EXCHANGES = [exchange(request(path=f"/{n}".encode()), body=bytes([n]) * n) for n in range(1, 4)]


def test_the_index_keeps_requests_and_reads_each_response_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    writing.write(path, EXCHANGES)
    indexed = indexing.index(path)
    assert list(indexed.requests) == [x.request for x in EXCHANGES]
    assert list(indexed.statuses) == [x.response.status for x in EXCHANGES]
    assert list(indexed.offsets) == [s.offset for s in reading.read(path).exchanges]
    ends = [*indexed.offsets[1:], path.stat().st_size]
    assert [end - start for start, end in zip(indexed.offsets, ends, strict=True)] == list(
        indexed.lengths
    )
    assert [indexed.response(n) for n in reversed(range(len(indexed)))] == [
        x.response for x in reversed(EXCHANGES)
    ]


def test_a_response_is_read_with_when_it_was_recorded(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    undated = exchange(request(path=b"/undated"))
    writing.write(path, [EXCHANGES[0], replace(undated, meta=Meta())])
    indexed = indexing.index(path)
    reader = indexed.reader
    first = reader.aged_at(indexed.offsets[0], indexed.lengths[0])
    assert first == (EXCHANGES[0].response, "2026-01-02T03:04:05+00:00")
    assert reader.aged_at(indexed.offsets[1], indexed.lengths[1])[1] == ""


def test_the_index_of_a_cut_cassette_leaves_the_tail_out(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    writing.write(path, EXCHANGES)
    os.truncate(path, path.stat().st_size - 3)
    indexed = indexing.index(path)
    assert len(indexed) == 2 and indexed.truncated_at is not None
    assert indexed.warning is not None and "incomplete" in indexed.warning


def test_a_cassette_changed_after_indexing_fails_every_read_saying_so(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    writing.write(path, EXCHANGES)
    indexed = indexing.index(path)
    writing.write(path, list(reversed(EXCHANGES)))  # replaced by another file
    with pytest.raises(CassetteError, match="changed on disk since it was loaded"):
        indexed.response(0)
    in_place = indexing.index(path)
    with path.open("r+b") as stream:  # changed in place: same file, other bytes and size
        stream.seek(0, os.SEEK_END)
        stream.write(b"\x00")
    with pytest.raises(CassetteError, match=f"{path} changed on disk"):
        in_place.response(1)


def test_replay_follows_the_appends_of_its_own_writer(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    writing.write(path, EXCHANGES[:1])
    writer = writing.Writer.open(path)
    indexed = indexing.index(path, lambda: writer.stamp)
    writer.append(EXCHANGES[1])
    assert indexed.response(0) == EXCHANGES[0].response
    other = indexing.index(path)  # no writer of its own: an append by someone else is a change
    with path.open("ab") as stream:
        stream.write(writing.pack(to_item(EXCHANGES[2])))
    with pytest.raises(CassetteError, match="changed on disk"):
        other.response(0)
    with pytest.raises(CassetteError, match="changed on disk"):
        indexed.response(0)
    writer.close()


def test_a_damaged_response_is_refused_naming_its_offset(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    head = writing.pack({"format": FORMAT, "version": 1})
    item = to_item(EXCHANGES[0])
    item["response"]["status"] = "200"
    path.write_bytes(head + writing.pack(item))
    with pytest.raises(CassetteError, match=r"is damaged \(byte \d+: response.status is a str"):
        indexing.index(path)  # the status is checked when indexing ...
    item = to_item(EXCHANGES[0])
    item["response"]["headers"] = [[b"Content-Type", 1]]
    path.write_bytes(head + writing.pack(item))
    indexed = indexing.index(path)
    message = f"{path} is damaged \\(byte {len(head)}: response.headers has an item that is not"
    with pytest.raises(CassetteError, match=message):
        indexed.response(0)  # ... the rest of the response when it is played


def test_an_index_is_kept_in_the_cache_and_read_back_while_the_file_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, cache = tmp_path / "a.cassette", tmp_path / "cache"
    writing.write(path, EXCHANGES)
    made = indexing.index(path, cache=cache)
    assert len(list(cache.glob("*.index"))) == 1

    def not_again(*args: object) -> None:
        raise AssertionError("the cassette was parsed although its index was cached")

    with monkeypatch.context() as patched:
        patched.setattr(indexing, "scan", not_again)
        again = indexing.index(path, cache=cache)
    assert again.requests == made.requests and again.statuses == made.statuses
    assert (again.offsets, again.lengths) == (made.offsets, made.lengths)
    assert [again.response(n) for n in range(3)] == [x.response for x in EXCHANGES]


def test_a_changed_cassette_or_a_broken_cache_file_is_indexed_anew(tmp_path: Path) -> None:
    path, cache = tmp_path / "a.cassette", tmp_path / "cache"
    writing.write(path, EXCHANGES[:2])
    indexing.index(path, cache=cache)
    writer = writing.Writer.open(path)
    writer.append(EXCHANGES[2])
    writer.close()
    assert list(indexing.index(path, cache=cache).requests) == [x.request for x in EXCHANGES]
    (saved,) = cache.glob("*.index")
    saved.write_bytes(b"\x00not marshal")
    assert len(indexing.index(path, cache=cache)) == 3
    os.truncate(path, path.stat().st_size - 3)
    cut = indexing.index(path, cache=cache)
    assert len(cut) == 2 and cut.truncated_at is not None
    assert indexing.index(path, cache=cache).truncated_at == cut.truncated_at  # from the cache


def test_indexes_nobody_read_for_a_month_are_deleted(tmp_path: Path) -> None:
    path, cache = tmp_path / "a.cassette", tmp_path / "cache"
    writing.write(path, EXCHANGES)
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
    writing.write(other, EXCHANGES[:1])
    indexing.index(other, cache=cache)  # a new index: stale ones go
    assert not gone.exists() and kept.exists() and len(list(cache.glob("*.index"))) == 2


def test_concurrent_loads_write_the_cache_through_temporary_files_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, cache = tmp_path / "a.cassette", tmp_path / "cache"
    writing.write(path, EXCHANGES)
    renamed: list[str] = []
    replace = os.replace

    def noted(source: str, target: Path) -> None:
        renamed.append(source)
        replace(source, target)

    monkeypatch.setattr(indexing.os, "replace", noted)
    indexing.index(path, cache=cache)
    os.utime(path, ns=(1, 1))  # another stamp: indexed (and kept) again
    indexing.index(path, cache=cache)
    assert len(set(renamed)) == 2
    assert [p.name for p in cache.iterdir()] == [indexing._cache_file(cache, path).name]


def test_a_response_played_again_is_kept_but_the_file_is_checked_every_time(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.cassette"
    writing.write(path, EXCHANGES)
    indexed = indexing.index(path)
    assert indexed.response(1) == indexed.response(1) == EXCHANGES[1].response
    assert list(indexed.reader.recent) == [indexed.offsets[1]]
    os.utime(path, ns=(0, 0))  # another modification time, bytes and size as they were
    with pytest.raises(CassetteError, match="changed on disk since it was loaded"):
        indexed.response(1)
    path.unlink()
    with pytest.raises(CassetteError, match="cannot read cassette"):
        indexed.response(1)
    os.mkfifo(path)
    with pytest.raises(CassetteError, match="is a FIFO, not a regular file"):
        indexed.response(1)


def test_what_a_reader_keeps_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indexing, "RECENT_MAX", 1)
    monkeypatch.setattr(indexing, "RECENT_BODY_MAX", 2)  # EXCHANGES' bodies: 1, 2 and 3 bytes
    path = tmp_path / "a.cassette"
    writing.write(path, EXCHANGES)
    indexed = indexing.index(path)
    reader, offsets = indexed.reader, indexed.offsets
    for n in (0, 1, 2):
        assert indexed.response(n) == EXCHANGES[n].response
    assert (list(reader.recent), reader.recent_bytes) == ([offsets[1]], 2)  # 0 out, 2 too big
    monkeypatch.setattr(indexing, "RECENT_MAX", 2)
    monkeypatch.setattr(indexing, "RECENT_BYTES", 2)
    assert indexed.response(0) == EXCHANGES[0].response
    assert (list(reader.recent), reader.recent_bytes) == ([offsets[0]], 1)  # 1 out: bytes
