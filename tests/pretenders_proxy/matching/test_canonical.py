import gzip
import json
from random import Random

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pretenders_proxy.matching.canonical import Kind, body_key, body_kind, form_fields, view
from pretenders_proxy.matching.ignore import parse_ignore
from pretenders_proxy.matching.subject import INVALID
from tests.pretenders_proxy.factories import request

JSON = ((b"Content-Type", b"application/json; charset=utf-8"),)
FORM = ((b"Content-Type", b"application/x-www-form-urlencoded"),)


def key(body: bytes, headers: tuple[tuple[bytes, bytes], ...] = JSON, *ignore: str) -> bytes:
    return body_key(request("POST", body=body, headers=headers), parse_ignore(ignore))


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [
        (b"application/json", Kind.JSON),
        (b"Application/JSON; charset=utf-8", Kind.JSON),
        (b"application/vnd.api+json", Kind.JSON),
        (b"application/x-www-form-urlencoded", Kind.FORM),
        (b"text/plain", Kind.BYTES),
        (b"application/jsonp", Kind.BYTES),
        (b"multipart/form-data; boundary=x", Kind.BYTES),
    ],
)
def test_the_content_type_says_how_a_body_compares(content_type: bytes, kind: Kind) -> None:
    assert body_kind(((b"content-type", content_type),))[0] is kind


def test_json_key_order_whitespace_and_escapes_do_not_matter() -> None:
    assert key(b'{"a": 1, "b": [1, {"c": "\\u00e9"}]}') == key(b'{"b":[1,{"c":"\xc3\xa9"}],"a":1}')
    assert key(b'{"a": 1}') != key(b'{"a": 2}')
    assert key(b"[1, 2]") != key(b"[2, 1]")  # lists keep their order


def test_json_numbers_compare_by_value_but_true_is_not_1() -> None:
    assert key(b'{"n": 1}') == key(b'{"n": 1.0}') == key(b'{"n": 1e0}')
    assert key(b'{"n": 0.5}') == key(b'{"n": 5e-1}')
    assert key(b'{"n": 1}') != key(b'{"n": true}')
    assert key(b'{"n": "1"}') != key(b'{"n": 1}')


def test_a_name_given_twice_keeps_its_last_value() -> None:
    assert key(b'{"a": 1, "a": 2}') == key(b'{"a": 2}')


def test_what_is_not_json_is_compared_byte_for_byte() -> None:
    assert key(b"{not json") != key(b"{not  json")
    assert view(request(body=b"{not json", headers=JSON))[0] is Kind.BYTES
    assert key(b'{"a":1}', ()) != key(b'{ "a":1}', ())  # no JSON content type: bytes
    assert key(b"[" * 100_000 + b"]" * 100_000) != key(b"[" * 100_001 + b"]" * 100_001)
    assert key(b"") == b"" == key(b"", FORM)


def test_a_lone_surrogate_in_a_string_still_makes_a_key() -> None:
    assert key(b'{"a": "\\ud800"}') != key(b'{"a": "\\ud801"}')


def test_a_gzipped_json_body_is_compared_decoded() -> None:
    zipped = (*JSON, (b"Content-Encoding", b"gzip"))
    assert key(gzip.compress(b'{"a": 1, "b": 2}'), zipped) == key(b'{"b": 2, "a": 1}')


def test_form_fields_in_any_order_but_repeated_values_in_theirs() -> None:
    assert key(b"a=1&b=2", FORM) == key(b"b=2&a=1", FORM)
    assert key(b"a=x+y&b=%41", FORM) == key(b"b=A&a=x%20y", FORM)
    assert key(b"a=1&a=2&b=3", FORM) == key(b"a=1&b=3&a=2", FORM)
    assert key(b"a=1&a=2", FORM) != key(b"a=2&a=1", FORM)
    assert key(b"a=1&b=2", FORM) != key(b"b=2&a=1", ())  # not a form: bytes
    assert form_fields(b"b=2&&a=1&a=") == ((b"a", b"1"), (b"a", b""), (b"b", b"2"))


def test_ignored_parts_take_no_part_in_the_key() -> None:
    one = b'{"meta": {"ts": 1, "v": 1}, "items": [{"nonce": "a", "x": 1}]}'
    two = b'{"items": [{"x": 1, "nonce": "b"}], "meta": {"v": 1, "ts": 2}}'
    assert key(one) != key(two)
    assert key(one, JSON, "json:$.meta.ts", "json:$..nonce") == key(
        two, JSON, "json:$.meta.ts", "json:$..nonce"
    )
    assert key(one, JSON, "json:$.meta.ts") != key(two, JSON, "json:$.meta.ts")
    assert key(b"a=1&csrf=x", FORM, "form:csrf") == key(b"csrf=y&a=1", FORM, "form:csrf")
    assert key(b"a=1&csrf=x", FORM, "form:csrf") == key(b"a=1", FORM, "form:csrf")


def test_view_gives_the_document_or_the_fields() -> None:
    assert view(request(body=b'{"a": [1.0]}', headers=JSON)) == (Kind.JSON, {"a": [1]})
    assert view(request(body=b"a=1", headers=FORM)) == (Kind.FORM, ((b"a", b"1"),))
    assert view(request(body=b"\xff", headers=JSON)) == (Kind.BYTES, b"\xff")
    assert INVALID is not None


# -- properties ------------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


def scrambled(document: object, shuffle: Random) -> object:
    """The same document with every object's members in another order."""
    if isinstance(document, dict):
        items = list(document.items())
        shuffle.shuffle(items)
        return {k: scrambled(v, shuffle) for k, v in items}
    if isinstance(document, list):
        return [scrambled(v, shuffle) for v in document]
    return document


@given(documents, st.randoms(), st.sampled_from([None, 0, 2]), st.booleans())
def test_a_document_however_written_has_one_key(
    document: object, shuffle: Random, indent: int | None, ascii_only: bool
) -> None:
    written = json.dumps(scrambled(document, shuffle), indent=indent, ensure_ascii=ascii_only)
    assert key(written.encode()) == key(json.dumps(document).encode())


@given(documents, documents)
def test_documents_of_different_values_have_different_keys(one: object, two: object) -> None:
    # Python's == is JSON's value equality but for true == 1: those pairs are skipped
    assume(json.loads(json.dumps(one)) != json.loads(json.dumps(two)))
    assert key(json.dumps(one).encode()) != key(json.dumps(two).encode())
