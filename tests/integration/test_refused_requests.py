"""Requests mitmproxy refuses before they reach the decision (malformed, smuggling-prone, too
long) are journaled in their session with `source: error`, never as upstream traffic."""

import base64
from typing import Any

import pytest
import requests

from pretenders_proxy.proxy.limits import MAX_HEAD
from pretenders_proxy.testing.launcher import RunningServer
from tests.integration.raw import open_tunnel, read_all

REFUSED = [
    ("bad request line", b"GET /x HTTP/1.1 and more\r\nHost: a.test\r\n\r\n", 400, "GET"),
    (
        "bad port in the URL",
        b"GET http://a.test:99999/ HTTP/1.1\r\nHost: a.test\r\n\r\n",
        400,
        "GET",
    ),
    ("no version", b"HELLO THERE\r\n\r\n", 400, "HELLO"),
    (
        "Content-Length and Transfer-Encoding",
        b"POST /x HTTP/1.1\r\nHost: a.test\r\nContent-Length: 3\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        400,
        "POST",
    ),
    ("a head over the limit", b"GET /x HTTP/1.1\r\nX-Long: " + b"x" * MAX_HEAD, 431, "GET"),
]


@pytest.mark.parametrize(
    ("sent", "status", "method"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_a_request_mitmproxy_refuses_is_journaled_as_an_error(
    server: RunningServer, control: str, session: str, sent: bytes, status: int, method: str
) -> None:
    sock, head = open_tunnel(server.proxy, 9, session)  # plain HTTP in the session's tunnel
    with sock:
        sock.sendall(sent)
        answer = read_all(sock)
    assert head.startswith(b"HTTP/1.1 200 ") and answer.startswith(b"HTTP/1.1 %d " % status)
    (entry,) = errors(control, session)
    assert (entry["method"], entry["source"], entry["protocol"], entry["status"]) == (
        method,
        "error",
        "http",
        None,
    )
    assert entry["error"] and entry["miss"] is None
    # A head that did not parse is kept as received (its first KiB); one that did, as a request.
    assert sent.startswith(base64.b64decode(entry["body_base64"]))


def errors(control: str, session: str) -> list[dict[str, Any]]:
    params = {"session": session, "source": "error", "wait": "10"}
    answer = requests.get(f"{control}/api/v1/requests", params=params, timeout=20)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found
