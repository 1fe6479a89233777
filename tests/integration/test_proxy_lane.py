"""The forward proxy's fast lane (proxy/lane.py, front.py) against real servers: what it answers
and what it hands to mitmproxy, pipelined on one connection, give the same bytes, history and
`times` counts as mitmproxy alone (--plain-mock-replies), for presets on both stores and for
replay; a long pipelined burst is answered whole and in order and a client that never reads is
not answered on; the proxy listener's connection cap and idle timeout hold on the lane."""

import base64
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from pretenders_proxy.cassette import writing
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.proxy.front import HELD_BYTES
from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.integration.redis_server import RedisServer
from tests.integration.test_fast_lane import fast_answers
from tests.integration.test_slowloris import BOUND, address, connect, read_to_end

QUIET = 1.5
"""Seconds without a byte after which a pipelined exchange is read whole (a tunnel stays open)."""
AUTH = b"Proxy-Authorization: Basic %s\r\n"
GET = b"GET http://api.example.test/items/%s HTTP/1.1\r\nHost: api.example.test\r\n%s\r\n"
CLOSE = b"GET http://api.example.test/items/json HTTP/1.1\r\nHost: api.example.test\r\n%s"
CLOSE += b"Connection: close\r\n\r\n"
ODD = {  # each handed to mitmproxy by the lane, from its first byte
    "miss": GET.replace(b"items/%s", b"nothing/%s"),
    "connect": b"CONNECT api.example.test:443 HTTP/1.1\r\nHost: api.example.test:443\r\n"
    b"X-Item: %s\r\n%s\r\n",
    "chunked post": b"POST http://api.example.test/items/%s HTTP/1.1\r\nHost: api.example.test\r\n"
    b"%sTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
    "delayed, once": GET.replace(b"items/%s", b"items/%s/slow"),
    "origin form": b"GET /items/%s HTTP/1.1\r\nHost: api.example.test\r\n%s\r\n",
    "http/1.0": b"GET http://api.example.test/items/%s HTTP/1.0\r\nHost: api.example.test\r\n"
    b"%sConnection: keep-alive\r\n\r\n",
    "posted body (answered)": b"POST http://api.example.test/items/%s HTTP/1.1\r\n"
    b"Host: api.example.test\r\n%sContent-Length: 5\r\n\r\nhello",
}
PRESETS: list[dict[str, Any]] = [
    {"rule": ".* /items/json/slow$", "status": 200, "body": b"late", "after": 0.2, "times": 1},
    {"rule": ".* /items/json$", "status": 200, "body": b'{"id": 42}', "times": 5},
    {"rule": ".* /items/", "status": 200, "headers": {"Content-Type": "text/plain"}, "body": b"x"},
]
VOLATILE = ("id", "time", "duration_ms")


@pytest.mark.parametrize("server", ["memory", "redis"], indirect=True)
@pytest.mark.parametrize("odd", list(ODD))
def test_pipelined_presets_answer_as_mitmproxy_alone(
    server: RunningServer, plain_replies_server: RunningServer, odd: str, session_name: str
) -> None:
    auth = AUTH % base64.b64encode(session_name.encode() + b":x")
    asks = [GET % (b"json", auth), GET % (b"other", auth), ODD[odd] % (b"json", auth)]
    asks += [GET % (b"json", auth), ODD[odd] % (b"json", auth), GET % (b"json", auth)]
    asks.append(CLOSE % auth)
    got, fast = [], []
    for on in (server, plain_replies_server):
        _mock(on, session_name, PRESETS)
        before = fast_answers(on, "proxy")
        answers = _exchange(on.proxy, b"".join(asks))
        got.append((_same(answers), _served(on, session_name), _history(on, session_name)))
        fast.append(fast_answers(on, "proxy") - before)
    assert got[0][0] == got[1][0]
    assert got[0][1:] == got[1][1:]
    assert got[0][0].count(b"HTTP/1.") >= 3
    assert fast[0] >= 2 and fast[1] == 0  # the first two answered by the lane itself


def test_a_session_port_and_no_credentials_name_the_session_as_mitmproxy_does(
    server: RunningServer, plain_replies_server: RunningServer, session_name: str
) -> None:
    asks = [GET % (b"json", b""), GET % (b"other", b""), CLOSE % b""]
    got = []
    for on in (server, plain_replies_server):
        port = _mock(on, session_name, PRESETS, proxy_port=True)
        answers = _exchange(f"http://127.0.0.1:{port}", b"".join(asks))
        got.append((answers, _served(on, session_name), _history(on, session_name)))
    assert got[0] == got[1]
    assert got[0][0].count(b"HTTP/1.1 200 ") == 3


TAPE = [
    ("GET", b"/a", b"", Response(200, ((b"Content-Type", b"text/plain"),), b"answer 0\n")),
    ("GET", b"/a", b"", Response(200, ((b"Content-Type", b"text/plain"),), b"answer 1\n")),
    ("GET", b"/b", b"", Response(201, ((b"Connection", b"close"), (b"X-B", b"b")), b"bee")),
    ("POST", b"/c", b"hello", Response(200, ((b"Set-Cookie", b"a=1"),), b"posted")),
    ("GET", b"/d", b"", Response(204, ((b"X-D", b"d"),), b"")),
]
REPLAY = b"%s http://api.test%s HTTP/1.1\r\nHost: api.test\r\n%s\r\n%s"


@pytest.mark.parametrize("store", ["memory", "redis"])
def test_pipelined_replay_answers_as_mitmproxy_alone(tmp_path: Path, store: str) -> None:
    length = b"Content-Length: 5\r\n"
    asks = [REPLAY % (b"GET", b"/a", b"", b""), REPLAY % (b"GET", b"/b", b"", b"")]
    asks += [REPLAY % (b"GET", b"/zzz", b"", b""), REPLAY % (b"POST", b"/c", length, b"hello")]
    asks += [REPLAY % (b"GET", b"/a", b"", b""), REPLAY % (b"GET", b"/d", b"", b"")]
    asks += [REPLAY % (b"GET", b"/a", b"Connection: close\r\n", b"")]
    got = []
    for on in _replayers(tmp_path, store):
        answers = _exchange(on.proxy, b"".join(asks))
        got.append((answers, _history(on, "default")))
    assert got[0] == got[1]
    assert b"answer 0\n" in got[0][0] and b"answer 1\n" in got[0][0]


def test_a_long_pipelined_burst_is_answered_whole_and_in_order(
    server: RunningServer, session_name: str
) -> None:
    """Far more than HELD_BYTES sent ahead at once: on the shared store each request waits for
    the one before it to be decided, what comes kept and reading paused past HELD_BYTES. (From
    a head split between two reads on, and for the last, Connection: close, mitmproxy answers.)"""
    _mock(server, session_name, PRESETS[2:])
    auth = AUTH % base64.b64encode(session_name.encode() + b":x")
    asks = [GET % (b"n%d" % n, auth) for n in range(2000)] + [CLOSE % auth]
    assert len(b"".join(asks)) > 2 * HELD_BYTES
    before = fast_answers(server, "proxy")
    answers = _exchange(server.proxy, b"".join(asks))
    assert answers.count(b"HTTP/1.1 200 OK\r\n") == len(asks)
    assert fast_answers(server, "proxy") - before > 1  # the lane answered
    paths = [f"/items/n{n}" for n in range(2000)] + ["/items/json"]
    assert _paths(server, session_name) == paths


def test_a_client_that_never_reads_is_not_answered_on_and_others_are(
    server: RunningServer, session_name: str
) -> None:
    big = {"rule": ".* /items/big$", "status": 200, "body": b"b" * (256 << 10)}
    _mock(server, session_name, [big, *PRESETS])
    auth = AUTH % base64.b64encode(session_name.encode() + b":x")
    ask = GET % (b"big", auth)
    with connect(address(server.proxy)) as flood:
        flood.setblocking(False)
        sent = 0
        for _ in range(4000):  # 1 GB of answers if all were answered
            try:
                sent += flood.send(ask)
            except BlockingIOError:
                break
        with socket.create_connection(address(server.proxy), timeout=BOUND) as other:
            other.sendall(CLOSE % auth)
            assert (read_to_end(other, _deadline()) or b"").endswith(b'{"id": 42}')
        served = _settled(server, session_name)
        assert 0 < served < sent // len(ask)  # all of them would be 1 GB of answers


def test_the_proxy_cap_counts_fast_and_handed_over_connections_once(
    capped: RunningServer, session_name: str
) -> None:
    _mock(capped, session_name, PRESETS)
    for _ in range(3):  # each round: every connection of the last left the count exactly once
        held = _hold_all(capped, session_name)
        with connect(address(capped.proxy)) as extra:
            assert (read_to_end(extra, _deadline()) or b"").startswith(b"HTTP/1.1 503 ")
        for connection in held:
            connection.close()


def test_a_fast_lane_proxy_connection_is_closed_after_the_idle_timeout(
    quick: RunningServer, session_name: str
) -> None:
    _mock(quick, session_name, PRESETS)
    with _served_once(quick, session_name, handed=False) as connection:
        assert read_to_end(connection, _deadline()) == b""


CAP = 4


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    flags = ["--header-timeout", "1", "--idle-timeout", "2", "--upstream-timeout", "1"]
    with launch(flags, confdir=tmp_path_factory.mktemp("quick-proxy-lane")) as server:
        yield server


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    flags = ["--max-connections", str(CAP)]
    with launch(flags, confdir=tmp_path_factory.mktemp("capped-proxy-lane")) as server:
        yield server


def _replayers(folder: Path, store: str) -> Iterator[RunningServer]:
    """A replay server of one cassette on the lane (on `store`), then one with mitmproxy alone
    (the memory store), each stopped before the next starts."""
    cassette = folder / "tape.cassette"
    exchanges = [
        Exchange(Request(method, path, body=body, host="api.test", port=80), response)
        for method, path, body, response in TAPE
    ]
    writing.write(cassette, exchanges)
    redis = RedisServer(folder / "redis").start() if store == "redis" else None
    try:
        flags = [] if redis is None else ["--store", redis.url]
        with launch([str(cassette), *flags], confdir=folder, command="replay") as laned:
            yield laned
    finally:
        if redis is not None:
            redis.stop()
    plain = [str(cassette), "--plain-mock-replies"]
    with launch(plain, confdir=folder, command="replay") as alone:
        yield alone


def _exchange(proxy: str, data: bytes) -> bytes:
    """Send `data` on one connection to `proxy`; what comes back until it closes or is quiet."""
    with socket.create_connection(address(proxy), timeout=BOUND) as sock:
        sock.sendall(data)
        sock.settimeout(QUIET)
        got = b""
        try:
            while chunk := sock.recv(65536):
                got += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return got


def _served_once(on: RunningServer, name: str, *, handed: bool) -> socket.socket:
    """A proxy connection kept open after one answer: the lane's, or handed over by a miss."""
    auth = AUTH % base64.b64encode(name.encode() + b":x")
    connection = connect(address(on.proxy))
    connection.sendall((ODD["miss"] if handed else GET) % (b"json", auth))
    answer = connection.recv(65536)
    if not answer.startswith(b"HTTP/1.1 ") or answer.startswith(b"HTTP/1.1 503 "):
        connection.close()
        raise ConnectionRefusedError(answer[:40])
    return connection


def _hold_all(on: RunningServer, name: str) -> list[socket.socket]:
    """CAP connections held open at once, half of them handed over to mitmproxy; tried again
    until the server has counted out those closed before (it sees a close a moment later)."""
    deadline = _deadline()
    while True:
        held: list[socket.socket] = []
        try:
            for n in range(CAP):
                held.append(_served_once(on, name, handed=n % 2 == 1))
            return held
        except ConnectionRefusedError:
            for connection in held:
                connection.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _same(answers: bytes) -> bytes:
    """`answers` without what differs between two servers: the global id of a preset a miss
    reply names (and so its length)."""
    pieces = []
    for piece in re.split(rb"(?=HTTP/1\.[01] \d{3} )", answers):
        named = re.sub(rb"preset \d+ \(", b"preset N (", piece)
        if named != piece:
            named = re.sub(rb"(?i)content-length: \d+\r\n", b"", named)
        pieces.append(named)
    return b"".join(pieces)


def _deadline() -> float:
    return time.monotonic() + BOUND


def _mock(
    on: RunningServer, name: str, presets: list[dict[str, Any]], *, proxy_port: bool = False
) -> int | None:
    """Make session `name` with `presets`; its own proxy port, if it asks for one."""
    asked = {"name": name, "proxy_port": proxy_port}
    made = requests.post(f"{on.control}/api/v1/sessions", json=asked, timeout=10)
    made.raise_for_status()
    for preset in presets:
        sent = {**preset, "body": base64.b64encode(preset["body"]).decode()}
        answer = requests.post(
            f"{on.control}/api/v1/presets", params={"session": name}, json=sent, timeout=10
        )
        assert answer.status_code == 201, answer.text
        _MADE.setdefault((on.control, name), []).append(answer.json()["id"])
    port: int | None = made.json()["proxy_port"]
    return port


_MADE: dict[tuple[str, str], list[int]] = {}
"""The ids of the presets each server made for a session, in the order they were made."""


def _served(on: RunningServer, name: str) -> list[int]:
    """How often each preset answered, in the order they were made."""
    listed = requests.get(f"{on.control}/api/v1/presets", params={"session": name}, timeout=10)
    listed.raise_for_status()
    found = listed.json()
    items = found["items"] if isinstance(found, dict) else found
    return [item["served"] for item in sorted(items, key=lambda item: item["id"])]


def _settled(on: RunningServer, name: str) -> int:
    """How often the first preset has answered, once that stops changing."""
    counts = [-1, _served(on, name)[0]]
    while counts[-1] != counts[-2]:
        time.sleep(0.5)
        counts.append(_served(on, name)[0])
    return counts[-1]


def _paths(on: RunningServer, name: str) -> list[str]:
    """The paths of the session's history, oldest first, a page at a time."""
    paths: list[str] = []
    url: str | None = f"/api/v1/requests?session={name}&limit=1000"
    while url is not None:
        found = requests.get(on.control + url, timeout=10)
        found.raise_for_status()
        paths += [entry["path"] for entry in found.json()]
        url = found.links.get("next", {}).get("url")  # a path on the control port
    return paths


def _history(on: RunningServer, name: str) -> list[dict[str, Any]]:
    """The session's history, oldest first, without what differs between two servers (ids,
    times; a preset by its place in the session); each entry timed."""
    found = requests.get(
        f"{on.control}/api/v1/requests", params={"session": name, "limit": 1000}, timeout=10
    )
    found.raise_for_status()
    ids = _MADE.get((on.control, name), [])
    kept = []
    for entry in found.json():
        assert entry["duration_ms"] >= 0
        entry = {k: v for k, v in entry.items() if k not in VOLATILE}
        entry["preset"] = None if entry["preset"] is None else ids.index(entry["preset"])
        if entry["miss"] and re.search(r"preset \d+", entry["miss"]):
            entry["miss"] = re.sub(r"preset \d+", "preset N", entry["miss"])
            entry["response"] = {"status": entry["response"]["status"]}  # it names the id
        kept.append(entry)
    return kept
