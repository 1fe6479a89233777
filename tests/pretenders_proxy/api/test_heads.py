"""The fast lane's head cache and framing checks (api/heads.py)."""

from pretenders_proxy.api import heads
from pretenders_proxy.api.heads import Heads, framing
from pretenders_proxy.model.http import Request

HEAD = b"GET /mockhttp/m/a HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def call(length: int) -> heads.Call:
    return ("GET", "m", Request("GET", b"/a"), length)


def test_a_whole_bodiless_head_is_kept_and_given_back_as_the_same_call() -> None:
    cache: Heads[heads.Call] = Heads()
    found = call(len(HEAD))
    assert cache.get(HEAD) is None
    assert cache.keep(HEAD, found, len(HEAD))
    assert cache.get(HEAD) is found
    assert cache.get(HEAD.replace(b"/a ", b"/b ")) is None


def test_a_request_with_a_body_or_a_long_head_is_not_kept() -> None:
    cache: Heads[heads.Call] = Heads()
    assert not cache.keep(HEAD, call(len(HEAD) + 5), len(HEAD) + 5)  # its body follows the head
    long = HEAD[:-2] + b"X: " + b"y" * heads.MAX_HEAD + b"\r\n\r\n"
    assert not cache.keep(long, call(len(long)), len(long))
    assert cache.get(HEAD) is None and cache.get(long) is None


def test_the_cache_starts_afresh_when_full() -> None:
    cache: Heads[heads.Call] = Heads()
    kept = [HEAD.replace(b"/a ", b"/%d " % n) for n in range(heads.MAX_KEPT + 1)]
    for head in kept:
        assert cache.keep(head, call(len(head)), len(head))
    assert cache.get(kept[-1]) is not None and cache.get(kept[0]) is None


def test_framing_takes_one_host_and_one_content_length_only() -> None:
    host = (b"Host", b"h")
    assert framing([host]) == ("h", 0)
    assert framing([host, (b"Content-Length", b"5")]) == ("h", 5)
    assert framing([]) is None
    assert framing([host, host]) is None
    assert framing([host, (b"Content-Length", b"5"), (b"content-length", b"5")]) is None
    assert framing([host, (b"Content-Length", b"-1")]) is None
    assert framing([host, (b"Transfer-Encoding", b"chunked")]) is None
    assert framing([host, (b"Content-Type", b"a"), (b"content-type", b"b")]) is None
    assert framing([host] + [(b"X", b"y")] * heads.MAX_HEADERS) is None
