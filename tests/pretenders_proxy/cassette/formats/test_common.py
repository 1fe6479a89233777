"""What the format converters share: loss notes, lossless text for bytes, URLs, header groups."""

import pytest

from pretenders_proxy.cassette.formats.common import (
    Losses,
    body_json,
    body_of,
    decoded_headers,
    header_lists,
    headers_of,
    is_interleaved,
    is_text,
    raw_of,
    split_url,
    text,
    timestamp,
)
from pretenders_proxy.errors import CassetteError


def test_losses_count_exchanges_per_kind_in_name_order() -> None:
    losses = Losses()
    for what in ("trailers", "HTTP versions", "trailers"):
        losses.note(what)
    assert losses.lines() == [
        "dropped: HTTP versions (1 exchange)",
        "dropped: trailers (2 exchanges)",
    ]


def test_bytes_that_are_not_utf8_survive_as_text() -> None:
    raw = b"/caf\xe9/\xff"
    assert raw_of(text(raw)) == raw


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"plain text\n", "plain text\n"),
        (b"\x89PNG\x00", {"base64": "iVBORwA="}),
        (b"bell\x07", {"base64": "YmVsbAc="}),
    ],
)
def test_bodies_are_text_when_they_read_as_text_else_base64(body: bytes, expected: object) -> None:
    assert is_text(body) is isinstance(expected, str)
    assert body_json(body) == expected
    assert body_of(expected, "x") == body


@pytest.mark.parametrize(
    ("value", "problem"),
    [(1, "x is neither text nor {'base64': ...}"), ({"base64": "%%"}, "x is not valid base64")],
)
def test_bad_bodies_name_where_they_are(value: object, problem: str) -> None:
    with pytest.raises(CassetteError, match=problem.replace("{", r"\{").replace("(", r"\(")):
        body_of(value, "x")


@pytest.mark.parametrize(
    ("names", "interleaved"),
    [
        ([b"A", b"B"], False),
        ([b"A", b"a", b"B"], False),
        ([b"Set-Cookie", b"X", b"set-cookie"], True),
    ],
)
def test_interleaved_means_grouping_would_change_the_order(
    names: list[bytes], interleaved: bool
) -> None:
    assert is_interleaved(tuple((name, b"v") for name in names)) is interleaved


def test_headers_group_by_name_and_come_back_as_pairs() -> None:
    headers = ((b"A", b"1"), (b"B", b"2"), (b"A", b"3"))
    grouped = header_lists(headers)
    assert grouped == {"A": ["1", "3"], "B": ["2"]}
    assert headers_of(grouped, "h") == ((b"A", b"1"), (b"A", b"3"), (b"B", b"2"))
    assert headers_of({"C": "4"}, "h") == ((b"C", b"4"),)
    assert headers_of(None, "h") == ()
    with pytest.raises(CassetteError, match="h is not a map"):
        headers_of([["A", "1"]], "h")


def test_header_values_are_text_and_come_back_as_their_bytes() -> None:
    assert headers_of({"A": "caf\xe9", "B": "\u20ac"}, "h") == (
        (b"A", b"caf\xe9"),  # latin-1, as HTTP reads headers
        (b"B", "\u20ac".encode()),  # beyond it: UTF-8, not a traceback
    )
    for value, kind in (
        (["x"], "a list"),
        ({"a": 1}, "a dict"),
        (1, "an int"),
        (None, "a NoneType"),
    ):
        with pytest.raises(CassetteError, match=f"h\\['A'\\] is {kind}, not text"):
            headers_of({"A": [value]}, "h")


@pytest.mark.parametrize(
    ("url", "parts"),
    [
        ("https://a.test/x?q=1", ("https", "a.test", 443, b"/x", b"q=1")),
        ("http://a.test", ("http", "a.test", 80, b"/", b"")),
        ("http://[::1]:8080/p", ("http", "[::1]", 8080, b"/p", b"")),
    ],
)
def test_split_url_fills_in_the_port_and_the_path(
    url: str, parts: tuple[str, str, int, bytes, bytes]
) -> None:
    assert split_url(url, "w") == parts


@pytest.mark.parametrize(
    ("url", "problem"),
    [("ftp://a.test/", "is not an absolute http"), ("http://a.test:99999/", "has an invalid port")],
)
def test_split_url_refuses_what_it_cannot_replay(url: str, problem: str) -> None:
    with pytest.raises(CassetteError, match=f"w: '{url}' {problem}"):
        split_url(url, "w")


def test_timestamps_are_0_when_absent_or_unreadable() -> None:
    assert timestamp("1970-01-01T00:00:10+00:00") == 10.0
    assert timestamp("") == timestamp("yesterday") == 0.0


def test_decoded_headers_drop_the_encoding_and_fit_the_length() -> None:
    headers = ((b"Content-Encoding", b"gzip"), (b"Content-Length", b"20"), (b"X", b"y"))
    assert decoded_headers(headers, 5) == ((b"Content-Length", b"5"), (b"X", b"y"))
