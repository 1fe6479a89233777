import base64
import gzip
from datetime import datetime

import pytest

from pretenders_proxy.api import views
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.model.journal import (
    REPLY_PREVIEW,
    REQUEST_PREVIEW,
    Entry,
    Source,
    TrafficProtocol,
    kept,
)
from pretenders_proxy.store.session import Session, SessionProtocol


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "FOREVER"),
        (5, "0:00:05"),
        (0.1, "0:00:00.100000"),
        (120, "0:02:00"),
        (90000, "25:00:00"),  # no "1 day, ..." form: the 1.4 client splits on ":"
    ],
)
def test_timeout_text(seconds: float | None, text: str) -> None:
    assert views.timeout_text(seconds) == text


def test_pretender_has_exactly_the_five_1_4_keys() -> None:
    started = datetime(2026, 1, 2, 3, 4, 5, 678)
    session = Session("m", SessionProtocol.HTTP, 5.0, started, 0.0, 10)
    assert views.pretender(session) == {
        "start": "2026-01-02 03:04:05.000678",
        "timeout": "0:00:05",
        "last_call": "2026-01-02 03:04:05.000678",
        "name": "m",
        "protocol": "http",
    }


def test_history_item_1_4() -> None:
    request = Request("POST", b"/a%20b", b"x=1", ((b"X-A", b"1"), (b"X-A", b"2")), b"\xff")
    entry = Entry(1, "m", 0.0, request, Source.MISS)
    assert views.history_14(entry) == {
        "body": "/w==",
        "headers": {"X-A": "1, 2"},
        "method": "POST",
        "url": "/a b?x=1",
        "rule": "POST /a b?x=1",
    }


def test_v1_entry_shows_text_only_for_utf8_bodies() -> None:
    request = Request("GET", b"/x", host="h", port=8080, scheme="http", body=b"\xff")
    shown = views.entry(Entry(3, "s", 0.0, request, Source.UPSTREAM))
    assert shown["url"] == "http://h:8080/x" and shown["body"] is None
    assert shown["body_base64"] == "/w==" and shown["status"] is None
    assert (shown["source"], shown["protocol"]) == ("upstream", "http")
    tunnel = Request("CONNECT", b"", host="db", port=22, scheme="tcp", body=b"SSH-2.0-x\r\n")
    refused = views.entry(Entry(4, "s", 0.0, tunnel, Source.MISS, protocol=TrafficProtocol.TCP))
    assert (refused["method"], refused["url"], refused["protocol"]) == (
        "CONNECT",
        "tcp://db:22",
        "tcp",
    )
    assert refused["body"] == "SSH-2.0-x\r\n" and refused["response"] is None


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        (b"", ""),
        (b"plain", "plain"),
        (b"a" * (views.PREVIEW - 1) + "é".encode(), "a" * (views.PREVIEW - 1)),  # é cut in two
        (b"\xff" + b"a" * views.PREVIEW, None),
        ("é".encode()[:1], None),  # not cut by the limit: not UTF-8
    ],
)
def test_a_cassette_body_preview_is_text_up_to_the_limit(body: bytes, shown: str | None) -> None:
    assert views.preview(body) == shown


def _answered(response: Response) -> Entry:
    body, size = kept(response)
    return Entry(4, "s", 0.0, Request("GET", b"/r"), Source.UPSTREAM, body, response_size=size)


def test_the_reply_shows_gzip_decoded_text_and_keeps_the_bytes_as_sent() -> None:
    sent = gzip.compress(b'{"a": 1}', mtime=0)
    headers = ((b"Content-Encoding", b"gzip"), (b"X-B", b"2"), (b"X-B", b"1"))
    shown = views.entry(_answered(Response(200, headers, sent, "OK")))["response"]
    assert shown == {
        "status": 200,
        "reason": "OK",
        "headers": [["Content-Encoding", "gzip"], ["X-B", "2"], ["X-B", "1"]],
        "trailers": [],
        "body": '{"a": 1}',
        "body_base64": base64.b64encode(sent).decode(),
        "encoding": "gzip",
        "size": len(sent),
        "truncated": False,
    }


def test_a_long_reply_is_kept_up_to_the_bound_with_its_size() -> None:
    body = b"a" * (REPLY_PREVIEW - 1) + "é".encode() + b"z" * 10
    entry = _answered(Response(200, (), body))
    shown = views.entry(entry)["response"]
    assert entry.response is not None and len(entry.response.body) == REPLY_PREVIEW
    assert shown["size"] == len(body) and shown["truncated"] is True
    assert shown["body"] == "a" * (REPLY_PREVIEW - 1)  # é cut in two by the bound: left out
    assert base64.b64decode(shown["body_base64"]) == body[:REPLY_PREVIEW]


def test_a_binary_reply_has_no_text_and_no_reply_is_null() -> None:
    assert views.entry(_answered(Response(200, (), b"\xff\x00")))["response"]["body"] is None
    assert views.entry(Entry(5, "s", 0.0, Request("GET", b"/"), Source.MISS))["response"] is None


def test_a_grpc_call_shows_as_binary_with_its_trailers() -> None:
    message = b"\x00\x00\x00\x00\x07item: x"  # valid UTF-8, but a gRPC frame
    headers = ((b"content-type", b"application/grpc"),)
    trailers = ((b"grpc-status", b"0"), (b"grpc-message", b""))
    answer = Response(200, headers, message, "", "HTTP/2.0", trailers)
    call = Request("POST", b"/demo.Items/Get", body=message)
    shown = views.entry(Entry(4, "s", 0.0, call, Source.UPSTREAM, answer, response_size=12))
    assert shown["body"] is None and shown["response"]["body"] is None
    assert base64.b64decode(shown["response"]["body_base64"]) == message
    assert shown["response"]["trailers"] == [["grpc-status", "0"], ["grpc-message", ""]]
    assert views.preview(b"text, then \x00") is None


def test_a_long_request_body_is_shown_as_kept_with_its_size() -> None:
    request = Request("POST", b"/up", body=b"a" * (REQUEST_PREVIEW - 1) + "\u00e9".encode())
    shown = views.entry(Entry(4, "s", 0.0, request, Source.MISS, request_size=200_000))
    assert (shown["body_size"], shown["body_truncated"]) == (200_000, True)
    assert shown["body"] == "a" * (REQUEST_PREVIEW - 1)  # the character cut in two left out
    whole = views.entry(Entry(5, "s", 0.0, Request("GET", b"/", body=b"hi"), Source.MISS))
    assert (whole["body"], whole["body_size"], whole["body_truncated"]) == ("hi", 2, False)


def test_the_event_summary_has_no_headers_and_no_bodies() -> None:
    request = Request("POST", b"/x", headers=((b"Cookie", b"c"),), body=b"secret", host="h")
    response = Response(201, ((b"Set-Cookie", b"s"),), b"reply")
    summary = views.entry_summary(Entry(6, "s", 0.0, request, Source.PRESET, response))
    assert set(summary) == {
        "id", "time", "session", "method", "url", "source", "protocol", "status", "duration_ms",
        "preset", "error", "body_size",
    }  # fmt: skip
    assert (summary["url"], summary["status"], summary["body_size"]) == ("http://h/x", 201, 6)
