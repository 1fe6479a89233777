import gzip

import pytest

from pretenders_proxy.matching.subject import (
    INVALID,
    Subject,
    charset_of,
    decode_content,
    decoded_body,
    parse_form,
)
from pretenders_proxy.model.http import Request
from tests.pretenders_proxy.factories import nested_mime


def subject(**fields: object) -> Subject:
    return Subject(Request(method=str(fields.pop("method", "POST")), path=b"/p", **fields))  # type: ignore[arg-type]


def test_line_decodes_the_path_but_keeps_the_query_raw() -> None:
    seen = Subject(Request("GET", b"/a%20b/c", b"x=1%202&y"))
    assert seen.line == "GET /a b/c?x=1%202&y"
    assert Subject(Request("DELETE", b"")).line == "DELETE "


def test_headers_are_case_insensitive_and_repeats_joined() -> None:
    seen = subject(headers=((b"X-A", b"1"), (b"x-a", b"2"), (b"Content-Type", b"text/plain")))
    assert seen.header("x-A") == "1, 2"
    assert seen.header("content-type") == "text/plain"
    assert seen.header("missing") is None


def test_text_undoes_gzip_and_uses_the_charset() -> None:
    body = gzip.compress("héllo".encode("latin-1"), mtime=0)
    headers = ((b"Content-Encoding", b"gzip"), (b"Content-Type", b"text/plain; charset=latin-1"))
    assert subject(body=body, headers=headers).text == "héllo"


def test_text_survives_bad_bytes_and_unknown_charsets() -> None:
    assert subject(body=b"\xff\xfe ok").text.endswith(" ok")
    headers = ((b"Content-Type", b"text/plain; charset=klingon"),)
    assert subject(body=b"ok", headers=headers).text == "ok"


@pytest.mark.parametrize(
    ("body", "encoding", "expected"),
    [
        (gzip.compress(b"abc", mtime=0), "gzip", b"abc"),
        (b"not gzip", "gzip", b"not gzip"),
        (b"abc", "br-unknown", b"abc"),
        (b"abc", None, b"abc"),
    ],
)
def test_decode_content(body: bytes, encoding: str | None, expected: bytes) -> None:
    assert decode_content(body, encoding) == expected


def test_decode_content_stops_at_the_limit_and_refuses_a_cut_stream() -> None:
    bomb = gzip.compress(b"\0" * 10_000_000, mtime=0)  # about 10 KB that expands a thousandfold
    assert decode_content(bomb, "gzip", limit=100) == b"\0" * 100
    cut = gzip.compress(bytes(range(256)) * 40, mtime=0)[:-30]  # no end of stream
    assert decode_content(cut, "gzip") is cut
    assert decode_content(cut, "gzip", limit=100) == (bytes(range(256)) * 40)[:100]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (((b"Content-Encoding", b"gzip"),), b"hello"),
        (((b"content-encoding", b" GZIP "), (b"X-Other", b"1")), b"hello"),
        (((b"Content-Type", b"text/plain"),), gzip.compress(b"hello", mtime=0)),
    ],
)
def test_decoded_body_undoes_the_encoding_its_headers_name(
    headers: tuple[tuple[bytes, bytes], ...], expected: bytes
) -> None:
    assert decoded_body(gzip.compress(b"hello", mtime=0), headers) == expected


def test_charset_of() -> None:
    assert charset_of('text/html; charset="ISO-8859-1"') == "ISO-8859-1"
    assert charset_of("application/json") == "utf-8"
    assert charset_of(None) == "utf-8"


def test_form_urlencoded_whatever_the_content_type() -> None:
    assert parse_form("one=first&two=a+b%21&empty=", None) == {
        "one": "first",
        "two": "a b!",
        "empty": "",
    }
    assert parse_form("one=first", "text/plain") == {"one": "first"}


def test_form_multipart() -> None:
    body = (
        '--XyZ\r\nContent-Disposition: form-data; name="one"\r\n\r\nfirst\r\n'
        '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
        "Content-Type: text/plain\r\n\r\nline 1\nline 2\r\n--XyZ--\r\n"
    )
    assert parse_form(body, "multipart/form-data; boundary=XyZ") == {
        "one": "first",
        "file": "line 1\nline 2",
    }


def test_a_form_of_parts_nested_thousands_deep_is_read_to_a_bounded_depth() -> None:
    # issue 15: the stdlib parser recursed once per level (RecursionError at ~1,000)
    deep = nested_mime(2000, b'Content-Disposition: form-data; name="x"\r\n\r\nv\r\n')
    body = deep.split(b"\r\n\r\n", 1)[1].decode()  # the body below the top-level headers
    assert parse_form(body, "multipart/form-data; boundary=b1999") == {}


def test_json_is_parsed_once_or_invalid() -> None:
    assert subject(body=b'{"a": [1, 2]}').json == {"a": [1, 2]}
    assert subject(body=b"null").json is None
    assert subject(body=b"{nope").json is INVALID
    assert subject(body=b"").json is INVALID
