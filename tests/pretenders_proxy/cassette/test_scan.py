"""The quick scan of a cassette as pretenders writes it gives what the item-by-item checks
give, and leaves everything else to them (so that their errors name what is wrong)."""

import tempfile
from pathlib import Path
from typing import Any

import msgpack
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pretenders_proxy.cassette import indexing, scan, writing
from pretenders_proxy.cassette.codec import FORMAT, to_item
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import quick_request
from tests.pretenders_proxy.cassette.test_reading import exchanges_strategy, msgpack_values
from tests.pretenders_proxy.factories import exchange, request

EXCHANGES = [exchange(request(path=f"/{n}".encode()), body=bytes([n]) * n) for n in range(1, 4)]


def _indexes(data: bytes) -> tuple[Any, Any]:
    """What `_quick` makes of a cassette, and what `_checked` does (or the error it raises);
    whichever it is, `scan` and the whole indexing give the same."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.cassette"
        path.write_bytes(data)
        with path.open("rb") as stream:
            quick = scan._quick(stream, len(data))
            stream.seek(0)
            try:
                checked: Any = scan._checked(path, stream, len(data))
            except CassetteError as e:
                checked = str(e).replace(str(path), "<path>")
            stream.seek(0)
            try:
                scanned: Any = scan.scan(path, stream, len(data))
            except CassetteError as e:
                scanned = str(e).replace(str(path), "<path>")
        assert scanned == checked
        try:
            assert len(indexing.index(path)) == len(checked.offsets)
        except CassetteError as e:
            assert str(e).replace(str(path), "<path>") == checked
    return quick, checked


HEAD = msgpack.packb({"format": FORMAT, "version": 1})


@given(st.lists(exchanges_strategy, max_size=4))
def test_the_quick_index_of_written_exchanges_is_the_checked_one(
    exchanges: list[Exchange],
) -> None:
    quick, checked = _indexes(HEAD + b"".join(writing.pack(to_item(x)) for x in exchanges))
    assert quick == checked


@given(exchanges_strategy, st.sampled_from(["request", "response", "meta"]), st.data())
def test_an_item_with_a_random_field_is_indexed_as_checked_or_refused_as_checked(
    good: Exchange, part: str, data: st.DataObject
) -> None:
    item = to_item(good)
    name = data.draw(st.sampled_from([*item[part], "extra"]))
    item[part][name] = data.draw(msgpack_values)
    quick, checked = _indexes(HEAD + writing.pack(to_item(good)) + writing.pack(item))
    assert quick is None or quick == checked


@given(st.lists(exchanges_strategy, min_size=1, max_size=3), st.data())
def test_a_cassette_cut_anywhere_is_indexed_as_checked(
    exchanges: list[Exchange], data: st.DataObject
) -> None:
    whole = HEAD + b"".join(writing.pack(to_item(x)) for x in exchanges)
    quick, checked = _indexes(whole[: data.draw(st.integers(0, len(whole)))])
    assert quick is None or quick == checked


def test_items_in_another_order_are_indexed_quickly() -> None:
    item = to_item(EXCHANGES[0])
    shuffled = {"meta": item["meta"], "response": dict(reversed(item["response"].items()))}
    shuffled["request"] = dict(reversed(item["request"].items()))
    quick, checked = _indexes(HEAD + writing.pack(shuffled) + writing.pack(item))
    assert quick is not None and quick == checked
    requests = [quick_request(*row) for row in zip(*quick.fields, strict=True)]
    assert requests == [EXCHANGES[0].request] * 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: [r], "an exchange record is a map, not list"),
        (lambda r: {**r, "request": None}, "request is missing or not a map"),
        (lambda r: {**r, "request": {**r["request"], "port": "80"}}, "request.port is a str"),
        (lambda r: {**r, "request": {**r["request"], "port": True}}, "request.port is a bool"),
        (
            lambda r: {**r, "request": {**r["request"], "headers": [[b"A", "b"]]}},
            "request.headers has an item that is not a [name, value] pair of bytes",
        ),
        (
            lambda r: {**r, "request": {**r["request"], "headers": [[b"A", b"b", b"c"]]}},
            "request.headers has an item that is not a [name, value] pair of bytes",
        ),
        (lambda r: {**r, "response": []}, "response is missing or not a map"),
        (
            lambda r: {**r, "response": {**r["response"], "status": True}},
            "response.status is a bool",
        ),
        (lambda r: {1: 2, **r}, "not msgpack"),
    ],
)
def test_a_bad_item_is_refused_by_the_checks_naming_what_is_wrong(
    change: Any, message: str
) -> None:
    item = to_item(EXCHANGES[0])
    packed = msgpack.packb(change(item), use_bin_type=True, strict_types=False)
    quick, checked = _indexes(HEAD + writing.pack(item) + packed)
    assert quick is None and isinstance(checked, str)
    assert checked.startswith(f"<path> is damaged (byte {len(HEAD + writing.pack(item))}: ")
    assert message in checked
