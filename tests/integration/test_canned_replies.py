"""A canned /mockhttp/ reply is byte for byte what aiohttp's response objects write for the same
preset (Date aside): the same presets on a default server and on one with --plain-mock-replies,
asked the same raw requests, pipelined and one by one, HTTP/1.1 and 1.0, HEAD, Connection: close."""

import base64
import re
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from pretenders_proxy.testing.launcher import RunningServer

BODY = b'{"id": 42}'
PRESETS: dict[str, dict[str, Any]] = {
    "json": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": BODY},
    "no-type": {"status": 200, "headers": {}, "body": b"some bytes"},
    "empty": {"status": 200, "headers": {}, "body": b""},
    "teapot": {"status": 418, "headers": [["X-Two", "1"], ["X-Two", "2"]], "body": b"short"},
    "unknown-status": {"status": 599, "headers": {}, "body": b"?"},
    "created": {"status": 201, "headers": {"Location": "/items/43"}, "body": b""},
    "own-server": {"status": 200, "headers": {"Server": "mine", "Content-Security-Policy": "x"}},
    "latin": {"status": 200, "headers": {"X-Name": "caf\u00e9"}, "body": b"caf\xc3\xa9"},
    "no-content": {"status": 204, "headers": {}, "body": b""},
    "not-modified": {"status": 304, "headers": {}, "body": b""},
    "own-length": {"status": 200, "headers": {"Content-Length": "3"}, "body": b"abc"},
    "own-date": {"status": 200, "headers": {"Date": "Tue, 01 Jan 2030 00:00:00 GMT"}},
    "closing": {"status": 200, "headers": {"Connection": "close"}, "body": b"bye"},
    "big": {"status": 200, "headers": {}, "body": b"b" * (3 << 19)},  # 1.5 MiB: not canned
}
KEPT = [  # pipelined on one connection; the last closes it
    b"GET /mockhttp/%s/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    b"POST /mockhttp/%s/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\nhi",
    b"HEAD /mockhttp/%s/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    b"GET /mockhttp/%s/%s HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n",
    b"GET /mockhttp/%s/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
]
ALONE = b"GET /mockhttp/%s/%s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"  # closes its connection
DATE = re.compile(rb"\r\nDate: [^\r]*\r\n")


@pytest.fixture(scope="module")
def servers(
    server: RunningServer, plain_replies_server: RunningServer
) -> Iterator[tuple[RunningServer, RunningServer]]:
    yield server, plain_replies_server


@pytest.mark.parametrize("server", ["memory"], indirect=True)
@pytest.mark.parametrize("preset", list(PRESETS))
def test_canned_and_plain_replies_are_the_same_bytes(
    servers: tuple[RunningServer, RunningServer], preset: str, session_name: str
) -> None:
    canned, plain = (_answers(on, session_name, preset) for on in servers)
    assert canned == plain
    assert canned[0].count(b"HTTP/1.") == len(KEPT)
    assert canned[1].startswith(b"HTTP/1.0 ")


@pytest.mark.parametrize("server", ["memory"], indirect=True)
def test_pipelined_requests_get_their_replies_in_order(
    servers: tuple[RunningServer, RunningServer], session_name: str
) -> None:
    got = []
    name = session_name.encode()
    for on in servers:
        _mock(on, session_name, {k: PRESETS[k] for k in ("json", "teapot", "empty")})
        asks = b"".join(KEPT[0] % (name, k) for k in (b"json", b"teapot", b"empty"))
        got.append(_undated(_exchange(on, asks + KEPT[-1] % (name, b"json"))))
    assert got[0] == got[1]
    assert got[0].count(b"HTTP/1.1 ") == 4
    assert got[0].index(b" 200 OK") < got[0].index(b" 418 ") < got[0].rindex(b" 200 OK")


def _answers(on: RunningServer, name: str, preset: str) -> list[bytes]:
    """What `on` answers to KEPT on one connection, then to ALONE on another."""
    _mock(on, name, {preset: PRESETS[preset]})
    asked = name.encode(), preset.encode()
    kept = _exchange(on, b"".join(head % asked for head in KEPT))
    return [_undated(kept), _undated(_exchange(on, ALONE % asked))]


def _undated(answers: bytes) -> bytes:
    return DATE.sub(b"\r\nDate: -\r\n", answers)


def _mock(on: RunningServer, name: str, presets: dict[str, dict[str, Any]]) -> None:
    made = requests.post(f"{on.control}/api/v1/sessions", json={"name": name}, timeout=10)
    made.raise_for_status()
    for path, preset in presets.items():
        body = base64.b64encode(preset.get("body", b"")).decode()
        sent = {"rule": f".* /{path}$", "status": preset["status"], "body": body}
        sent["headers"] = preset["headers"]
        answer = requests.post(
            f"{on.control}/api/v1/presets", params={"session": name}, json=sent, timeout=10
        )
        assert answer.status_code == 201, answer.text


def _exchange(on: RunningServer, data: bytes) -> bytes:
    """Send `data` on one connection, then read until the server closes it (its last request
    asks it to) or ten seconds pass."""
    with socket.create_connection((on.host, on.port), timeout=10) as sock:
        sock.sendall(data)
        got = b""
        while chunk := sock.recv(65536):
            got += chunk
        return got
