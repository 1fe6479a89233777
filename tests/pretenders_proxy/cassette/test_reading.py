import logging
import os
import stat
import tempfile
from pathlib import Path

import msgpack
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pretenders_proxy.cassette import reading, writing
from pretenders_proxy.cassette.codec import FORMAT, VERSION, to_item
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.exchange import Exchange, Meta
from pretenders_proxy.model.http import Request, Response
from tests.pretenders_proxy.factories import exchange, request

EXCHANGES = [exchange(request(path=f"/{n}".encode()), body=bytes([n]) * n) for n in range(1, 4)]


def test_write_then_read_gives_the_exchanges_and_their_offsets(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    writing.write(path, EXCHANGES)
    loaded = reading.read(path)
    assert [stored.exchange for stored in loaded.exchanges] == EXCHANGES
    assert loaded.header["format"] == FORMAT and loaded.truncated_at is None
    first = loaded.exchanges[0].offset
    assert path.read_bytes()[first:].startswith(writing.pack(to_item(EXCHANGES[0])))
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_truncated_tail_is_left_out_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "a.cassette"
    writing.write(path, EXCHANGES)
    cut_at = reading.read(path).exchanges[2].offset
    os.truncate(path, path.stat().st_size - 5)
    with caplog.at_level(logging.WARNING):
        loaded = reading.read(path)
    assert [s.exchange for s in loaded.exchanges] == EXCHANGES[:2]
    assert loaded.truncated_at == cut_at
    assert f"{path}: the last record (from byte {cut_at}) is incomplete" in caplog.text


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", r"is not a pretenders cassette \(byte 0: the file is empty\)"),
        (b"\xc1\xc1\xc1", r"is not a pretenders cassette \(byte 0: not msgpack"),
        (writing.pack({"format": FORMAT}), r"cannot be read \(byte 0: the cassette header has no"),
        (writing.pack({"format": "other", "version": 1}), r"byte 0: not a pretenders cassette"),
        (writing.pack({"format": FORMAT, "version": 99}), r"byte 0: cassette version 99 is newer"),
        (b"\xdb\xff\xff", r"byte 0: its header is incomplete"),
    ],
)
def test_files_that_are_not_cassettes_are_refused_at_byte_0(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "x.cassette"
    path.write_bytes(content)
    with pytest.raises(CassetteError, match=problem) as refused:
        reading.read(path)
    assert str(path) in str(refused.value)


@pytest.mark.parametrize(
    ("garbage", "problem"),
    [
        (b"\xc1", "not msgpack"),
        (msgpack.packb([1, 2]), "an exchange record is a map, not list"),
        (msgpack.packb({1: 2}), "not msgpack: int is not allowed for map key"),
        # issue 15: msgpack's StackError says nothing; the reader says why
        (b"\x91" * 5000, r"not msgpack: nested too deeply \(more levels than msgpack reads\)"),
    ],
)
def test_damage_after_good_items_names_its_offset(
    tmp_path: Path, garbage: bytes, problem: str
) -> None:
    path = tmp_path / "a.cassette"
    writing.write(path, EXCHANGES)
    good = path.stat().st_size
    with path.open("ab") as stream:
        stream.write(garbage + writing.pack(to_item(EXCHANGES[0])))
    with pytest.raises(CassetteError, match=f"is damaged \\(byte {good}: {problem}"):
        reading.read(path)


def test_every_way_of_reading_says_why_deep_nesting_fails(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    writing.write(path, EXCHANGES)
    good = path.stat().st_size
    with path.open("ab") as stream:
        stream.write(b"\x91" * 5000)
    with pytest.raises(CassetteError, match=f"byte {good}: nested too deeply"):
        reading.page(path, 0, 10)
    assert reading.problem_of(ValueError()) == "ValueError"


def test_reading_a_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match=f"cannot read cassette {tmp_path}/none"):
        reading.read(tmp_path / "none")


# -- properties: random input never crashes the reader; what is written reads back -----------

headers_strategy = st.lists(st.tuples(st.binary(max_size=20), st.binary(max_size=40)), max_size=4)
requests_strategy = st.builds(
    Request,
    method=st.text(max_size=8),
    path=st.binary(max_size=40),
    query=st.binary(max_size=40),
    headers=headers_strategy.map(tuple),
    body=st.binary(max_size=200),
    scheme=st.sampled_from(["http", "https"]),
    host=st.text(max_size=20),
    port=st.integers(0, 65535),
    http_version=st.sampled_from(["HTTP/1.0", "HTTP/1.1", "HTTP/2.0"]),
)
responses_strategy = st.builds(
    Response,
    status=st.integers(100, 599),
    headers=headers_strategy.map(tuple),
    body=st.binary(max_size=200),
    reason=st.text(max_size=12),
    http_version=st.just("HTTP/1.1"),
    trailers=st.none() | headers_strategy.map(tuple),
)
exchanges_strategy = st.builds(
    Exchange,
    request=requests_strategy,
    response=responses_strategy,
    meta=st.builds(
        Meta,
        recorded_at=st.text(max_size=30),
        duration_ms=st.floats(0, 1e9),
        redacted=st.lists(st.text(max_size=10), max_size=3).map(tuple),
    ),
)
msgpack_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats()
    | st.text(max_size=10)
    | st.binary(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _file(data: bytes) -> Path:
    handle, name = tempfile.mkstemp(suffix=".cassette")
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
    return Path(name)


def _read_or_refuse(data: bytes) -> reading.Loaded | None:
    """What reading `data` gives: the exchanges, or None when it is refused (CassetteError)."""
    path = _file(data)
    try:
        return reading.read(path)
    except CassetteError as e:
        assert str(path) in str(e)  # every refusal names the file
        return None
    finally:
        path.unlink()


@given(st.lists(exchanges_strategy, max_size=4))
def test_written_exchanges_read_back_equal(exchanges: list[Exchange]) -> None:
    path = _file(b"")
    try:
        writing.write(path, exchanges)
        assert [s.exchange for s in reading.read(path).exchanges] == exchanges
    finally:
        path.unlink()


@given(st.binary(max_size=400))
def test_random_bytes_are_read_or_refused_never_a_crash(data: bytes) -> None:
    _read_or_refuse(data)


@given(exchanges_strategy, st.sampled_from(["request", "response", "meta"]), st.data())
def test_items_with_random_fields_are_read_or_refused(
    good: Exchange, part: str, data: st.DataObject
) -> None:
    item = to_item(good)
    fields = item[part]
    name = data.draw(st.sampled_from([*fields, "extra"]))
    fields[name] = data.draw(msgpack_values)
    head = msgpack.packb({"format": FORMAT, "version": 1}, use_bin_type=True)
    _read_or_refuse(head + msgpack.packb(item, use_bin_type=True))


@given(st.lists(exchanges_strategy, min_size=1, max_size=3), st.data())
def test_a_cassette_cut_anywhere_loads_the_complete_exchanges_before_the_cut(
    exchanges: list[Exchange], data: st.DataObject
) -> None:
    path = _file(b"")
    try:
        writing.write(path, exchanges)
        whole = path.read_bytes()
    finally:
        path.unlink()
    cut = data.draw(st.integers(0, len(whole)))
    loaded = _read_or_refuse(whole[:cut])
    if loaded is not None:
        got = [s.exchange for s in loaded.exchanges]
        assert got == exchanges[: len(got)]
        # a cut between two items reads as a shorter cassette; anywhere else, as a cut
        assert (loaded.truncated_at is None) == (cut in loaded_ends(whole))
        if cut == len(whole):
            assert got == exchanges


def loaded_ends(whole: bytes) -> set[int]:
    """The byte offsets where the items of a cassette end."""
    unpacker = msgpack.Unpacker(raw=False)
    unpacker.feed(whole)
    ends = set()
    for _ in unpacker:
        ends.add(unpacker.tell())
    return ends


def test_the_reader_streams_what_read_loads(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    writing.write(path, EXCHANGES)
    with reading.Reader(path) as reader:
        streamed = list(reader)
    assert streamed == list(reading.read(path).exchanges)
    assert (reader.problem, reader.truncated_at, reader.version) == (None, None, VERSION)


def test_the_reader_stops_at_a_truncated_tail_and_says_where(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    writing.write(path, EXCHANGES)
    last = reading.read(path).exchanges[-1].offset
    path.write_bytes(path.read_bytes()[:-3])
    with reading.Reader(path) as reader:
        assert [s.exchange for s in reader] == EXCHANGES[:2]
    assert (reader.truncated_at, reader.problem) == (last, "the last record is incomplete")


def test_a_strict_reader_refuses_damage_a_lenient_one_stops_there(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    writing.write(path, EXCHANGES[:2])
    with path.open("ab") as stream:
        stream.write(msgpack.packb({"request": 1}) + writing.pack(to_item(EXCHANGES[2])))
    with (
        reading.Reader(path) as strict,
        pytest.raises(CassetteError, match=r"is damaged \(byte \d+"),
    ):
        list(strict)
    with reading.Reader(path, lenient=True) as lenient:
        assert [s.exchange for s in lenient] == EXCHANGES[:2]
    assert lenient.problem is not None and "request is missing or not a map" in lenient.problem


def test_the_reader_refuses_a_file_that_is_no_cassette(tmp_path: Path) -> None:
    path = tmp_path / "a.cassette"
    path.write_bytes(msgpack.packb({"format": "other"}))
    with pytest.raises(CassetteError, match=r"cannot be read \(byte 0: not a pretenders cassette"):
        reading.Reader(path)
    with pytest.raises(CassetteError, match="cannot read cassette"):
        reading.Reader(tmp_path / "missing.cassette")
