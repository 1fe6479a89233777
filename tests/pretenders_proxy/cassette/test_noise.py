"""Learning the noise: two recordings of one run paired in order, the parts that differ as
SPECs, counted; unpaired and byte-differing exchanges said."""

import json

from pretenders_proxy.cassette.noise import compare, report
from pretenders_proxy.matching.ignore import parse_ignore
from pretenders_proxy.model.http import Request

JSON = ((b"Content-Type", b"application/json"),)
ID_1, ID_2 = ((b"X-Request-Id", b"1"),), ((b"x-request-id", b"2"),)


def post(path: bytes, document: object, headers: tuple[tuple[bytes, bytes], ...] = ()) -> Request:
    return Request("POST", path, b"", JSON + headers, json.dumps(document).encode())


def test_paired_in_order_the_differing_parts_are_specs_with_counts() -> None:
    a = [
        post(b"/orders", {"ts": 1, "n": "a", "items": [{"at": 1}, {"at": 2}]}, ID_1),
        post(b"/orders", {"ts": 2, "n": "b", "items": []}),
        Request("GET", b"/search", b"q=x&_ts=1", ((b"Connection", b"keep-alive"),)),
    ]
    b = [
        post(b"/orders", {"ts": 3, "n": "a", "items": [{"at": 5}, {"at": 6}]}, ID_2),
        Request("GET", b"/search", b"q=x&_ts=2", ((b"Connection", b"close"),)),
        post(b"/orders", {"ts": 4, "n": "c", "items": []}),
    ]
    found = compare(a, b)
    assert found.paired == 3
    assert dict(found.specs) == {
        "json:$.ts": 2,
        "json:$.items[*].at": 1,
        "header:X-Request-Id": 1,
        "json:$.n": 1,
        "query:_ts": 1,
    }  # Connection is transport, never noise
    assert found.ignore_lines() == [
        "--ignore header:X-Request-Id",
        "--ignore 'json:$.items[*].at'",
        "--ignore 'json:$.n'",
        "--ignore 'json:$.ts'",
        "--ignore query:_ts",
    ]
    assert found.unpaired == [] and found.opaque == []


def test_ignored_parts_unpaired_and_byte_bodies_are_said() -> None:
    a = [post(b"/a", {"ts": 1}), Request("PUT", b"/blob", b"", (), b"\x00\x01")]
    b = [post(b"/a", {"ts": 2}), Request("PUT", b"/blob", b"", (), b"\x00\x02"), post(b"/a", {})]
    found = compare(a, b, parse_ignore(["json:$.ts"]))
    assert not found.specs
    assert found.unpaired == ["POST /a: 1 in A, 2 in B"]
    assert found.opaque == ["PUT /blob #1"]
    text = report("x.cassette", a, b, parse_ignore(["json:$.ts"]))
    assert text is not None and "PUT /blob #1" in text and "POST /a: 1 in A, 2 in B" in text


def test_the_same_recording_has_no_noise() -> None:
    a = [post(b"/a", {"ts": 1, "x": [1, 2]})]
    assert report("x.cassette", a, a, parse_ignore([])) is None
