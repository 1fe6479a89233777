from datetime import UTC, datetime
from pathlib import Path

import pytest

from pretenders_proxy.cassette import pages, reading, writing
from pretenders_proxy.cassette.codec import header
from pretenders_proxy.errors import CassetteError
from tests.pretenders_proxy.factories import exchange, many, request

EXCHANGES = [exchange(request(path=f"/{n}".encode())) for n in range(1, 8)]


@pytest.mark.parametrize(
    ("offset", "limit", "paths"),
    [
        (0, 3, [b"/1", b"/2", b"/3"]),
        (3, 3, [b"/4", b"/5", b"/6"]),
        (6, 3, [b"/7"]),
        (7, 3, []),
        (100, 1, []),
        (0, 500, [f"/{n}".encode() for n in range(1, 8)]),
    ],
)
def test_a_page_holds_the_exchanges_after_offset_and_the_total(
    tmp_path: Path, offset: int, limit: int, paths: list[bytes]
) -> None:
    path = tmp_path / "a.cassette"
    writing.write(path, EXCHANGES)
    found = reading.page(path, offset, limit)
    assert [e.request.path for e in found.exchanges] == paths
    assert (found.total, found.offset, found.truncated) == (7, offset, False)
    assert found.exchanges == tuple(EXCHANGES[offset : offset + limit])


def test_a_cut_last_item_is_left_out_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    writing.write(path, EXCHANGES)
    path.write_bytes(path.read_bytes()[:-5])
    found = reading.page(path, 5, 10)
    assert (found.total, found.truncated, len(found.exchanges)) == (6, True, 1)


def test_a_100000_exchange_cassette_is_listed_a_page_at_a_time(tmp_path: Path) -> None:
    path = many(tmp_path / "big.cassette", 100_000)
    found = reading.page(path, 99_990, 50)
    assert found.total == 100_000 and len(found.exchanges) == 10
    assert reading.page(path, 0, pages.MAX_LIMIT).exchanges[0].request.path == b"/same"


@pytest.mark.parametrize(("offset", "limit"), [(-1, 10), (0, 0), (0, pages.MAX_LIMIT + 1)])
def test_out_of_range_offset_or_limit_is_refused(tmp_path: Path, offset: int, limit: int) -> None:
    path = tmp_path / "a.cassette"
    writing.write(path, EXCHANGES)
    with pytest.raises(ValueError, match="limit 1 to 500"):
        reading.page(path, offset, limit)


def test_not_a_cassette_or_missing_or_damaged_names_the_file(tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_bytes(writing.pack({"hello": "world"}))
    with pytest.raises(CassetteError, match=r"notes\.txt cannot be read \(byte 0: not a pretend"):
        reading.page(other, 0, 10)
    with pytest.raises(CassetteError, match=r"cannot read cassette .*missing\.cassette"):
        reading.page(tmp_path / "missing.cassette", 0, 10)
    damaged = tmp_path / "damaged.cassette"
    writing.write(damaged, EXCHANGES[:1])
    damaged.write_bytes(damaged.read_bytes() + writing.pack({"request": 1}))
    with pytest.raises(CassetteError, match=r"damaged\.cassette is damaged \(byte \d+: "):
        reading.page(damaged, 0, 10)


def test_an_empty_file_is_not_a_cassette(tmp_path: Path) -> None:
    empty = tmp_path / "empty.cassette"
    empty.touch()
    with pytest.raises(
        CassetteError,
        match=r"empty\.cassette is not a pretenders cassette \(byte 0: the file is empty\)",
    ):
        reading.page(empty, 0, 10)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\xc1garbage", "not msgpack"),
        (writing.pack(header(datetime(2026, 1, 2, tzinfo=UTC)))[:-3], "its header is incomplete"),
    ],
    ids=["garbage", "cut header"],
)
def test_garbage_or_a_cut_header_is_not_a_cassette(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "bad.cassette"
    path.write_bytes(content)
    with pytest.raises(
        CassetteError, match=rf"bad\.cassette is not a pretenders cassette \(byte 0: {problem}"
    ):
        reading.page(path, 0, 10)
