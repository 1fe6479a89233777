"""/mockhttp/ and the proxy answer alike (one decision, store.answering): the same presets and
requests get the same replies, faults and misses, and leave the same history."""

import base64
import re
import socket
import time
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

import requests

from pretenders_proxy.testing.launcher import RunningServer
from tests.integration.replies import BOTH_REPLY_PATHS

pytestmark = BOTH_REPLY_PATHS

PRESETS: list[dict[str, Any]] = [
    {"rule": "GET /hello", "text": "hi", "headers": [["X-Kind", "greeting"]], "times": 2},
    {"rule": "GET /slow", "status": 202, "text": "late", "after": 0.2},
    {"rule": "GET /reset", "fault": "reset"},
    {"rule": "GET /empty", "fault": "empty"},
    {"rule": {"rule": "POST /items", "json": {"a": 1}}, "status": 201, "text": "made"},
    {
        "rule": "GET /stream",
        "headers": [["Content-Type", "text/event-stream"]],
        "chunks": [{"data": "data: 1\n\n"}, {"data": "data: 2\n\n", "after": 0.2}],
    },
]
REQUESTS: list[tuple[str, str, bytes]] = [
    ("GET", "/hello", b""),
    ("GET", "/hello", b""),
    ("GET", "/hello", b""),  # its `times` are used up: a miss
    ("GET", "/slow", b""),
    ("GET", "/reset", b""),
    ("GET", "/empty", b""),
    ("POST", "/items", b'{"a": 1}'),
    ("POST", "/items", b'{"a": 2}'),  # a near miss: the closest preset differs in its json
    ("GET", "/nothing?x=1", b""),
    ("GET", "/stream", b""),  # streamed: the same chunks, the same framing, as late
]
MATTER = ("content-type", "x-kind", "x-pretenders-miss", "transfer-encoding")
"""The reply headers that say what answered (the rest are the server's: Date, Server, ...)."""


@dataclass(frozen=True)
class Seen:
    """What a client got: a reply, or its connection reset or closed without one."""

    status: int | str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    slow: bool = False


def call(address: tuple[str, int], head: str, body: bytes) -> Seen:
    started = time.monotonic()
    data = b""
    with socket.create_connection(address, timeout=10) as connection:
        connection.sendall(head.encode() + body)
        try:
            while chunk := connection.recv(65536):
                data += chunk
        except ConnectionResetError:
            return Seen("reset")
    if not data:
        return Seen("closed")
    top, _, rest = data.partition(b"\r\n\r\n")
    lines = top.decode("latin-1").split("\r\n")
    pairs = (line.split(": ", 1) for line in lines[1:])
    headers = tuple((name.lower(), value) for name, value in pairs if name.lower() in MATTER)
    slow = time.monotonic() - started >= 0.2
    return Seen(int(lines[0].split()[1]), headers, rest, slow)


def head(method: str, target: str, host: str, body: bytes, extra: str = "") -> str:
    length = f"Content-Length: {len(body)}\r\nContent-Type: application/json\r\n" if body else ""
    return f"{method} {target} HTTP/1.1\r\nHost: {host}\r\n{extra}{length}Connection: close\r\n\r\n"


def add_presets(control: str, session: str) -> list[int]:
    ids = []
    for preset in PRESETS:
        added = requests.post(
            f"{control}/api/v1/presets", params={"session": session}, json=preset, timeout=10
        )
        assert added.status_code == 201, added.text
        ids.append(added.json()["id"])
    return ids


def positions(text: str, ids: list[int]) -> str:
    """`text` naming presets by their position in `ids` (each session's presets have their own
    ids), as `preset #<n>`."""
    return re.sub(r"preset (\d+)", lambda m: f"preset #{ids.index(int(m[1]))}", text)


def history(control: str, session: str, ids: list[int]) -> list[tuple[object, ...]]:
    """Each entry's request, source, preset (by position), miss, error and status."""
    entries = requests.get(f"{control}/api/v1/requests", params={"session": session}, timeout=10)
    return [
        (
            e["method"],
            e["path"],
            e["query"],
            e["source"],
            None if e["preset"] is None else ids.index(e["preset"]),
            e["miss"] and positions(e["miss"], ids),
            e["error"],
            e["status"],
        )
        for e in entries.json()
    ]


def seen_as(seen: Seen, ids: list[int]) -> Seen:
    return replace(seen, body=positions(seen.body.decode(), ids).encode())


def test_mockhttp_and_the_proxy_answer_alike(
    server: RunningServer, control: str, session: str
) -> None:
    mock = requests.post(f"{control}/http", json={}, timeout=10).json()["id"]
    mock_ids, proxy_ids = add_presets(control, mock), add_presets(control, session)
    host, port = server.host, server.port
    proxy = urlsplit(server.proxy)
    login = base64.b64encode(f"{session}:x".encode()).decode()
    through_mock, through_proxy = [], []
    for method, target, body in REQUESTS:
        mocked = head(method, f"/mockhttp/{mock}{target}", f"{host}:{port}", body)
        through_mock.append(call((host, port), mocked, body))
        # the same host as the mock's, on a port nothing listens to: nothing goes upstream
        auth = f"Proxy-Authorization: Basic {login}\r\n"
        proxied = head(method, f"http://{host}:9{target}", f"{host}:9", body, auth)
        through_proxy.append(call((proxy.hostname or "", proxy.port or 0), proxied, body))

    through_mock = [seen_as(seen, mock_ids) for seen in through_mock]
    assert through_mock == [seen_as(seen, proxy_ids) for seen in through_proxy]
    assert [seen.status for seen in through_mock] == [
        *(200, 200, 404, 202),
        *("reset", "closed", 201, 404, 404, 200),
    ]
    assert through_mock[0].headers == (
        ("x-kind", "greeting"),
        ("content-type", "text/plain; charset=utf-8"),
    )
    assert [seen.slow for seen in through_mock] == [False] * 3 + [True] + [False] * 5 + [True]
    assert through_mock[9].body == b"9\r\ndata: 1\n\n\r\n9\r\ndata: 2\n\n\r\n0\r\n\r\n"
    near = through_mock[7].body.decode()
    assert "Closest: preset #4 (rule 'POST /items', json {'a': 1})" in near
    assert history(control, mock, mock_ids) == history(control, session, proxy_ids)
    kept = history(control, session, proxy_ids)
    assert [entry[6] for entry in kept][4:6] == ["fault: reset", "fault: empty"]
    sources = [entry[3:5] for entry in kept]
    assert sources == [
        *(("preset", 0), ("preset", 0), ("miss", None), ("preset", 1)),
        *(("preset", 2), ("preset", 3), ("preset", 4), ("miss", None), ("miss", None)),
        ("preset", 5),
    ]
