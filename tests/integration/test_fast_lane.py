"""The /mockhttp/ fast lane (api/fastlane.py) against real servers: what it answers and what it
hands to aiohttp, pipelined on one connection, give the same bytes, order, history and `times`
as the plain server (--plain-mock-replies), on both stores; the control port's limits hold."""

import base64
import re
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from pretenders_proxy.api.fastlane import HELD_BYTES
from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.integration.test_canned_replies import _exchange, _undated
from tests.integration.test_slowloris import BOUND, address, connect, read_to_end, trickle
from tests.integration.v1_clients import client

GET = b"GET /mockhttp/%s/items/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
CLOSE = b"GET /mockhttp/%s/items/json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
ODD = {  # each handed to aiohttp, from its first byte, by the fast lane
    "miss": GET.replace(b"items/%s", b"nothing/%s"),
    "unknown mock": b"GET /mockhttp/no-such-mock-%s/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "control call": b"GET /api/v1/sessions/nope-%s-%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "chunked post": b"POST /mockhttp/%s/items/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
    "delayed, once": GET.replace(b"items/%s", b"items/%s/slow"),
    "http/1.0": b"GET /mockhttp/%s/items/%s HTTP/1.0\r\nHost: 127.0.0.1\r\n"
    b"Connection: keep-alive\r\n\r\n",
    "head": b"HEAD /mockhttp/%s/items/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "foreign host": b"GET /mockhttp/%s/items/%s HTTP/1.1\r\nHost: evil.example\r\n\r\n",
    "posted body": b"POST /mockhttp/%s/items/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Length: 5\r\n\r\nhello",
}
PRESETS: list[dict[str, Any]] = [
    {"rule": ".* /items/json/slow$", "status": 200, "body": b"late", "after": 0.2, "times": 1},
    {"rule": ".* /items/json$", "status": 200, "body": b'{"id": 42}', "times": 5},
    {"rule": ".* /items/", "status": 200, "headers": {"Content-Type": "text/plain"}, "body": b"x"},
]


@pytest.fixture
def plain(plain_replies_server: RunningServer) -> RunningServer:
    """The reference for either store: a --plain-mock-replies server on the memory store
    (what the fast lane answers, on either store, is what aiohttp's path answers there)."""
    return plain_replies_server


@pytest.mark.parametrize("server", ["memory", "redis"], indirect=True)
@pytest.mark.parametrize("odd", list(ODD))
def test_pipelined_fast_and_handed_over_requests_answer_as_the_plain_server(
    server: RunningServer, plain: RunningServer, odd: str, session_name: str
) -> None:
    name = session_name.encode()
    asks = [GET % (name, b"json"), GET % (name, b"other"), ODD[odd] % (name, b"json")]
    asks += [GET % (name, b"json"), ODD[odd] % (name, b"json"), GET % (name, b"json")]
    asks.append(CLOSE % name)
    got, fast = [], []
    for on in (server, plain):
        _mock(on, session_name, PRESETS)
        before = fast_answers(on, "mockhttp")
        got.append((_same(_exchange(on, b"".join(asks))), _counts(on, session_name)))
        fast.append(fast_answers(on, "mockhttp") - before)
    assert got[0] == got[1]
    assert got[0][0].count(b"HTTP/1.") == len(asks)
    assert fast[0] >= 2 and fast[1] == 0  # the first two answered by the lane itself


def fast_answers(on: RunningServer, lane: str) -> int:
    """How many answers `lane` wrote itself so far, as /health says."""
    health = requests.get(f"{on.control}/health", timeout=10).json()
    found: int = health["fast_answers"][lane]
    return found


@pytest.mark.parametrize("server", ["memory", "redis"], indirect=True)
def test_a_long_pipelined_burst_is_answered_whole_and_in_order(
    server: RunningServer, session_name: str
) -> None:
    """Far more than HELD_BYTES sent ahead at once: on the shared store each request waits
    for the one before it to be decided, reading pausing and resuming as what waits grows."""
    _mock(server, session_name, PRESETS[2:])
    name = session_name.encode()
    asks = [GET % (name, b"n%d" % n) for n in range(3000)] + [CLOSE % name]
    assert len(b"".join(asks)) > 2 * HELD_BYTES
    answers = _exchange(server, b"".join(asks))
    assert answers.count(b"HTTP/1.1 200 OK\r\n") == len(asks)
    paths = [f"/items/n{n}" for n in range(3000)] + ["/items/json"]
    assert [seen.path for seen in client(server.control, session_name).requests()] == paths


@pytest.mark.parametrize("first", ["nothing", "a fast answer"])
def test_a_head_sent_a_byte_at_a_time_still_gets_408(
    quick: RunningServer, first: str, session_name: str
) -> None:
    _mock(quick, session_name, PRESETS)
    name = session_name.encode()
    with connect(address(quick.control)) as connection:
        if first != "nothing":
            connection.sendall(GET % (name, b"json"))
            assert connection.recv(65536).endswith(b'{"id": 42}')
        answer = trickle(connection, (GET % (name, b"json"))[:-2] + b"X: y\r\n" * 200, _deadline())
    assert answer is not None and answer.startswith(b"HTTP/1.1 408 ")


@pytest.mark.parametrize(
    "extra", [b"X-Long: " + b"y" * 9000 + b"\r\n", b"".join(b"X-%d: y\r\n" % n for n in range(130))]
)
def test_an_over_long_head_still_gets_431(server: RunningServer, extra: bytes) -> None:
    head = GET % (b"m", b"json")
    answer = _exchange(server, head[:-2] + extra + b"\r\n")
    assert answer.startswith(b"HTTP/1.0 431 ")  # aiohttp's own answer


@pytest.mark.parametrize("server", ["memory", "redis"], indirect=True)
def test_a_foreign_host_gets_the_gates_403(
    server: RunningServer, plain: RunningServer, session_name: str
) -> None:
    asks = ODD["foreign host"] % (session_name.encode(), b"json") + CLOSE % b"x"
    answers = []
    for on in (server, plain):
        _mock(on, session_name, PRESETS)
        answers.append(_undated(_exchange(on, asks)))
    assert answers[0] == answers[1]
    assert answers[0].startswith(b"HTTP/1.1 403 ")
    assert b"does not answer to Host 'evil.example'" in answers[0]


def test_the_connection_cap_counts_fast_and_handed_over_connections_once(
    capped: RunningServer, session_name: str
) -> None:
    _mock(capped, session_name, PRESETS)
    for _ in range(3):  # each round: every connection of the last left the count exactly once
        held = _hold_all(capped, session_name)
        with connect(address(capped.control)) as extra:
            assert (read_to_end(extra, _deadline()) or b"").startswith(b"HTTP/1.1 503 ")
        for connection in held:
            connection.close()


def test_a_fast_lane_connection_is_closed_after_the_idle_timeout(
    quick: RunningServer, session_name: str
) -> None:
    _mock(quick, session_name, PRESETS)
    with _served_once(quick, session_name, handed=False) as connection:
        assert read_to_end(connection, _deadline()) == b""


def test_a_client_that_never_reads_is_not_answered_on_and_others_are(
    server: RunningServer, session_name: str
) -> None:
    big = {"rule": ".* /items/big$", "status": 200, "body": b"b" * (256 << 10)}
    _mock(server, session_name, [big, *PRESETS])
    ask = GET % (session_name.encode(), b"big")
    with connect(address(server.control)) as flood:
        flood.setblocking(False)
        sent = 0
        for _ in range(4000):  # 1 GB of answers if all were answered
            try:
                sent += flood.send(ask)
            except BlockingIOError:
                break
        assert requests.get(
            f"{server.control}/mockhttp/{session_name}/items/json", timeout=BOUND
        ).ok
        served = _settled(server, session_name)
        assert 0 < served < sent // len(ask)  # all of them would be 1 GB of answers


def test_stopping_the_server_closes_its_fast_lane_connections(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with launch([], confdir=tmp_path_factory.mktemp("stopping")) as server:
        name = "stopping"
        _mock(server, name, PRESETS)
        connection = _served_once(server, name, handed=False)
        assert server.stop() == 0
        assert read_to_end(connection, _deadline()) == b""
        connection.close()


CAP = 4


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    flags = ["--header-timeout", "1", "--idle-timeout", "2"]
    with launch(flags, confdir=tmp_path_factory.mktemp("quick-lane")) as server:
        yield server


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    flags = ["--max-connections", str(CAP)]
    with launch(flags, confdir=tmp_path_factory.mktemp("capped-lane")) as server:
        yield server


def _served_once(on: RunningServer, name: str, *, handed: bool) -> socket.socket:
    """A connection kept open after one answer: the fast lane's, or handed over by a miss."""
    connection = connect(address(on.control))
    connection.sendall((ODD["miss"] if handed else GET) % (name.encode(), b"json"))
    answer = connection.recv(65536)
    if not answer.startswith(b"HTTP/1.1 ") or answer.startswith(b"HTTP/1.1 503 "):
        connection.close()
        raise ConnectionRefusedError(answer[:40])
    return connection


def _hold_all(on: RunningServer, name: str) -> list[socket.socket]:
    """CAP connections held open at once, half of them handed over to aiohttp; tried again
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
    """`answers` without what differs between two servers: Date, and the global id of a preset
    a miss reply names (and so its length)."""
    answers = re.sub(rb"preset \d+ \(", b"preset N (", _undated(answers))
    return re.sub(rb"Content-Length: \d+\r\n(?=(?:[^\r]+\r\n)*\r\nNo preset)", b"", answers)


def _settled(on: RunningServer, name: str) -> int:
    """How often the first preset has answered, once that stops changing (a shared store
    decides a request at a time, each a round trip)."""
    counts = [-1, _served(on, name)[0]]
    while counts[-1] != counts[-2]:
        time.sleep(0.5)
        counts.append(_served(on, name)[0])
    return counts[-1]


def _deadline() -> float:
    return time.monotonic() + BOUND


def _mock(on: RunningServer, name: str, presets: list[dict[str, Any]]) -> None:
    made = requests.post(f"{on.control}/api/v1/sessions", json={"name": name}, timeout=10)
    made.raise_for_status()
    for preset in presets:
        sent = {**preset, "body": base64.b64encode(preset["body"]).decode()}
        answer = requests.post(
            f"{on.control}/api/v1/presets", params={"session": name}, json=sent, timeout=10
        )
        assert answer.status_code == 201, answer.text


def _served(on: RunningServer, name: str) -> list[int]:
    """How often each preset answered, in the order they were made."""
    listed = requests.get(f"{on.control}/api/v1/presets", params={"session": name}, timeout=10)
    listed.raise_for_status()
    found = listed.json()
    items = found["items"] if isinstance(found, dict) else found
    return [item["served"] for item in sorted(items, key=lambda item: item["id"])]


def _counts(on: RunningServer, name: str) -> tuple[list[int], int]:
    """The presets' served counts and the session's history length."""
    return _served(on, name), len(client(on.control, name).requests())
