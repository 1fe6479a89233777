"""Canned replies: which preset replies are canned, their bytes, Date once a second, the cache.
(That they are the bytes aiohttp writes: tests/integration/test_canned_replies.py.)"""

from unittest import mock

import pytest
from aiohttp.http import SERVER_SOFTWARE
from multidict import CIMultiDict, CIMultiDictProxy

from pretenders_proxy.api import canned
from pretenders_proxy.model.http import Response


def headers(*pairs: tuple[str, str]) -> CIMultiDictProxy[str]:
    return CIMultiDictProxy(CIMultiDict(pairs))


def test_a_json_reply_is_its_head_then_date_server_and_body() -> None:
    reply = canned.can(Response(200, body=b"{}"), headers(("Content-Type", "application/json")))
    assert reply is not None
    with mock.patch.object(canned, "rfc822_formatted_time", return_value="D1"):
        wire = reply.wire()
    head, _, body = wire.partition(b"\r\n\r\n")
    assert head.split(b"\r\n") == [
        b"HTTP/1.1 200 OK",
        b"Content-Type: application/json",
        b"Content-Length: 2",
        b"Date: D1",
        b"Server: " + SERVER_SOFTWARE.encode(),
    ]
    assert body == b"{}"


def test_a_body_without_type_is_octet_stream_and_an_own_server_is_kept() -> None:
    reply = canned.can(Response(599, body=b"x"), headers(("Server", "mine")))
    assert reply is not None
    with mock.patch.object(canned, "rfc822_formatted_time", return_value="D"):
        head = reply.wire().split(b"\r\n\r\n")[0].split(b"\r\n")
    assert head == [
        b"HTTP/1.1 599 ",  # aiohttp's: no reason phrase it knows
        b"Server: mine",
        b"Content-Length: 1",
        b"Content-Type: application/octet-stream",
        b"Date: D",
    ]


def test_replies_aiohttp_frames_its_own_way_are_not_canned() -> None:
    assert canned.can(Response(204), headers()) is None
    assert canned.can(Response(304), headers()) is None
    assert canned.can(Response(101), headers()) is None
    for name in ("Content-Length", "transfer-encoding", "Connection", "Date"):
        assert canned.can(Response(200, body=b"abc"), headers((name, "3"))) is None
    assert canned.can(Response(200), headers(("X-Bad", "a\r\nb"))) is None


def test_the_date_changes_the_bytes_once_it_changes() -> None:
    reply = canned.can(Response(200, body=b"hi"), headers())
    assert reply is not None
    with mock.patch.object(canned, "rfc822_formatted_time", side_effect=["D1", "D1", "D2"]):
        first, again, later = reply.wire(), reply.wire(), reply.wire()
    assert first is again  # the same bytes object, built once for that second
    assert b"Date: D1\r\n" in first and b"Date: D2\r\n" in later


def test_the_cache_builds_once_per_response_object() -> None:
    made: list[object] = []

    def text_headers(raw: object) -> CIMultiDictProxy[str]:
        made.append(raw)
        return headers()

    cache = canned.Cache(text_headers)
    response, twin = Response(200, body=b"a"), Response(200, body=b"a")
    assert cache.get(response) is cache.get(response)
    assert cache.get(twin) is not cache.get(response)
    assert len(made) == 2
    assert cache.get(Response(204)) is None


def test_a_big_body_is_not_canned_nor_kept() -> None:
    cache = canned.Cache(lambda raw: headers())
    big = Response(200, body=b"x" * (canned._MAX_BODY + 1))
    assert cache.get(big) is None
    assert cache._kept == {}


def test_the_cache_starts_afresh_past_its_byte_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(canned, "_BUDGET", 3000)
    cache = canned.Cache(lambda raw: headers())
    first, second = Response(200, body=b"a" * 500), Response(200, body=b"b" * 500)
    cache.get(first)
    assert id(first) in cache._kept
    cache.get(second)  # 2 x (1500 + 1024) > 3000: the first is let go
    assert list(cache._kept) == [id(second)]
