"""lanecall.read takes a request exactly as mitmproxy's parser and SessionRouter see it, and
leaves every request it cannot read that way to mitmproxy."""

import pytest
from mitmproxy import http
from mitmproxy.net.http import http1

from pretenders_proxy.proxy.convert import request_from_flow
from pretenders_proxy.proxy.lanecall import END, read
from pretenders_proxy.proxy.sessions import SessionRouter

AUTH = b"Proxy-Authorization: Basic dXNlcjpwYXNz\r\n"  # user:pass
TAKEN = [
    b"GET http://api.example.test/items/42 HTTP/1.1\r\nHost: api.example.test\r\n\r\n",
    b"GET http://api.example.test:8080/a/b?x=1&y=%20 HTTP/1.1\r\nHost: Api.Example.Test:8080\r\n"
    b"Accept:   */*  \r\nX-Two: 1\r\nx-two: 2\r\n\r\n",
    b"POST http://127.0.0.1:9/c HTTP/1.1\r\nHost: other.test\r\nContent-Length: 5\r\n"
    + AUTH
    + b"Connection: keep-alive\r\n\r\nhello",
    b"DELETE http://api.example.test/ HTTP/1.1\r\nHost: api.example.test\r\n"
    b"Proxy-Authorization: Bearer x\r\n\r\n",
    b"GET http://api.example.test/a HTTP/1.1\r\nHost: api.example.test\r\n"
    b"Proxy-Authorization: Basic !!\r\nProxy-Connection: Keep-Alive\r\n\r\n",
]
HANDED = {
    "connect": b"CONNECT api.example.test:443 HTTP/1.1\r\nHost: api.example.test:443\r\n\r\n",
    "origin form": b"GET /a HTTP/1.1\r\nHost: api.example.test\r\n\r\n",
    "https url": b"GET https://api.example.test/a HTTP/1.1\r\nHost: api.example.test\r\n\r\n",
    "ws url": b"GET ws://api.example.test/a HTTP/1.1\r\nHost: api.example.test\r\n\r\n",
    "no path": b"GET http://api.example.test HTTP/1.1\r\nHost: api.example.test\r\n\r\n",
    "http/1.0": b"GET http://a.test/a HTTP/1.0\r\nHost: a.test\r\n\r\n",
    "head": b"HEAD http://a.test/a HTTP/1.1\r\nHost: a.test\r\n\r\n",
    "h2c preface": b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    "close": b"GET http://a.test/a HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n",
    "upgrade": b"GET http://a.test/a HTTP/1.1\r\nHost: a.test\r\nConnection: Upgrade\r\n"
    b"Upgrade: websocket\r\n\r\n",
    "chunked": b"POST http://a.test/a HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked"
    b"\r\n\r\n0\r\n\r\n",
    "expect": b"POST http://a.test/a HTTP/1.1\r\nHost: a.test\r\nExpect: 100-continue\r\n"
    b"Content-Length: 1\r\n\r\nx",
    "body to come": b"POST http://a.test/a HTTP/1.1\r\nHost: a.test\r\nContent-Length: 9\r\n\r\nx",
    "two lengths": b"POST http://a.test/a HTTP/1.1\r\nHost: a.test\r\nContent-Length: 1\r\n"
    b"Content-Length: 1\r\n\r\nx",
    "odd length": b"POST http://a.test/a HTTP/1.1\r\nHost: a.test\r\nContent-Length: 01\r\n\r\nx",
    "no host": b"GET http://a.test/a HTTP/1.1\r\nX: y\r\n\r\n",
    "two hosts": b"GET http://a.test/a HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n\r\n",
    "folded": b"GET http://a.test/a HTTP/1.1\r\nHost: a.test\r\nX: y\r\n z\r\n\r\n",
    "bare lf": b"GET http://a.test/a HTTP/1.1\nHost: a.test\r\n\r\n",
    "bad name": b"GET http://a.test/a HTTP/1.1\r\nHost: a.test\r\nX y: z\r\n\r\n",
    "non-ascii target": b"GET http://a.test/\xc3\xa9 HTTP/1.1\r\nHost: a.test\r\n\r\n",
    "user in url": b"GET http://u@a.test/a HTTP/1.1\r\nHost: a.test\r\n\r\n",
    "bad port": b"GET http://a.test:99999/a HTTP/1.1\r\nHost: a.test\r\n\r\n",
    "two credentials": b"GET http://a.test/a HTTP/1.1\r\nHost: a.test\r\n" + AUTH + AUTH + b"\r\n",
}


def _read(data: bytes, cap: int = 1 << 16) -> object:
    return read(data, 0, data.find(END), cap)


@pytest.mark.parametrize("data", TAKEN)
def test_a_request_is_read_as_mitmproxy_and_the_session_router_read_it(data: bytes) -> None:
    call = _read(data)
    assert call is not None
    head, _, body = data.partition(END)
    request = http1.read_request_head(head.split(b"\r\n"))
    request.data.content = body
    flow = http.HTTPFlow(None, None)  # type: ignore[arg-type]
    flow.request = request
    user = SessionRouter._take_user(flow)
    assert call == (request_from_flow(request), user, len(data), request.host, request.port)


@pytest.mark.parametrize("data", list(HANDED.values()), ids=list(HANDED))
def test_anything_else_is_left_to_mitmproxy(data: bytes) -> None:
    assert _read(data) is None


def test_a_body_over_the_cap_is_left_to_mitmproxy() -> None:
    data = b"POST http://a.test/a HTTP/1.1\r\nHost: a.test\r\nContent-Length: 5\r\n\r\nhello"
    assert _read(data, cap=4) is None
    assert _read(data, cap=5) is not None


def test_pipelined_requests_are_read_one_at_a_time() -> None:
    first, second = TAKEN[2], TAKEN[0]
    data = first + second
    call = read(data, 0, data.find(END), 1 << 16)
    assert call is not None and call.length == len(first)
    again = read(data, len(first), data.find(END, len(first)), 1 << 16)
    assert again is not None and again.request.path == b"/items/42"
