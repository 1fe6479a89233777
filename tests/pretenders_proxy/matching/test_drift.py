"""Drift between a recorded and a live response: status, content type, header names and the
JSON structure (or values), ignored parts left out; a line each in the --ignore grammar."""

import gzip
import json

import pytest

from pretenders_proxy.matching.drift import compare, is_safe, shape
from pretenders_proxy.matching.ignore import parse_ignore
from pretenders_proxy.model.http import Headers, Response

JSON: Headers = ((b"Content-Type", b"application/json; charset=utf-8"),)


def answer(document: object, *headers: tuple[bytes, bytes], status: int = 200) -> Response:
    return Response(status, JSON + headers, json.dumps(document).encode())


def lines(recorded: Response, live: Response, *ignore: str, values: bool = False) -> list[str]:
    found = compare(recorded, live, parse_ignore(ignore), values=values)
    return [difference.line for difference in found]


USER = {"user": {"id": 1, "name": "Ada", "tags": ["a"]}, "items": [{"id": 1}, {"id": 2}]}


@pytest.mark.parametrize(
    ("live", "wanted"),
    [
        (USER, []),
        ({**USER, "user": {**USER["user"], "id": "1"}}, ["json:$.user.id: int vs str"]),  # type: ignore[dict-item]
        ({**USER, "user": {"id": 2, "name": "Bo", "tags": []}}, []),  # values and lengths
        ({**USER, "user": {"id": 1.5, "name": "Ada", "tags": ["a"]}}, []),  # one number type
        ({**USER, "new": True}, ["json:$.new: (absent) vs bool"]),
        ({"user": USER["user"]}, ["json:$.items: list vs (absent)"]),
        ({**USER, "items": [{"id": 1, "at": None}]}, ["json:$.items[*].at: (absent) vs null"]),
        ({**USER, "items": [1]}, ["json:$.items[*]: object vs int"]),
    ],
)
def test_the_json_structure(live: object, wanted: list[str]) -> None:
    assert lines(answer(USER), answer(live)) == wanted


def test_values_with_values() -> None:
    live = {**USER, "user": {"id": 1, "name": "Bo", "tags": ["a"]}}
    assert lines(answer(USER), answer(live), values=True) == ['json:$.user.name: "Ada" vs "Bo"']


def test_status_content_type_and_header_names() -> None:
    recorded = answer(USER, (b"Date", b"today"), (b"X-Old", b"1"), (b"ETag", b'"a"'))
    live = Response(404, ((b"Content-Type", b"text/html"), (b"X-New", b"2"), (b"Age", b"3")))
    assert lines(recorded, live) == [
        "status: 200 vs 404",
        "content-type: application/json vs text/html",
        "header added: x-new",
        "header removed: x-old",
    ]


def test_ignored_headers_and_json_paths_are_left_out() -> None:
    recorded = answer({**USER, "at": "2026-12-07"}, (b"X-Trace", b"1"))
    live = answer({**USER, "at": 1733500000})
    assert lines(recorded, live) == ["header removed: x-trace", "json:$.at: str vs int"]
    assert lines(recorded, live, "header:x-trace", "json:$..at") == []


def test_encoded_bodies_are_decoded_and_others_compared_only_with_values() -> None:
    gzipped = Response(200, (*JSON, (b"Content-Encoding", b"gzip")), gzip.compress(b'{"a": 1}'))
    wanted = ["header removed: content-encoding", "json:$.a: int vs str"]
    assert lines(gzipped, answer({"a": "x"})) == wanted
    text = ((b"Content-Type", b"text/plain"),)
    assert lines(Response(200, text, b"one"), Response(200, text, b"two")) == []
    assert lines(Response(200, text, b"one"), Response(200, text, b"two"), values=True) == [
        "body: 3 bytes vs 3 bytes (different)"
    ]
    broken = Response(200, JSON, b"<html>oops")
    assert lines(answer(USER), broken) == ["body: JSON vs not JSON"]


def test_the_shape_of_a_list_merges_its_items() -> None:
    assert shape([{"a": 1}, {"b": "x"}]) == [{"a": "int", "b": "str"}]
    assert shape([]) == [{"any": "item"}] and shape([]) == []


@pytest.mark.parametrize(("method", "safe"), [("GET", True), ("head", True), ("POST", False)])
def test_safe_methods(method: str, safe: bool) -> None:
    assert is_safe(method) is safe
