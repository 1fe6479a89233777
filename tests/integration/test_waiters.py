"""Who waits on the server costs it a bounded amount, and only while someone is there: a
subscriber that stops reading the event stream is dropped, a long-poll ends with its client."""

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
import requests

from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.integration.test_history_bounds import memory

LONG_PATH = "/p" + "p" * 7000  # long URLs make big summaries: the backlog fills sooner
BODY = b"b" * (64 * 1024)


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server of its own (its memory and waiters are counted), keeping little history."""
    with launch(["--history-limit", "20"], confdir=tmp_path_factory.mktemp("busy")) as server:
        yield server


def waiting(server: RunningServer) -> int:
    count: int = requests.get(f"{server.control}/health", timeout=10).json()["waiting"]
    return count


def quiet(server: RunningServer) -> int:
    """0 once nobody waits any more (a stream of the test before may take a moment to go)."""
    assert eventually(lambda: waiting(server) == 0)
    return 0


def eventually(condition: Callable[[], bool], seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def raw_get(server: RunningServer, target: str, *, receive_buffer: int = 0) -> socket.socket:
    host, port = server.control.removeprefix("http://").rsplit(":", 1)
    connection = socket.socket()
    if receive_buffer:
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    connection.connect((host, int(port)))
    connection.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
    return connection


def is_closed_by_the_server(connection: socket.socket, seconds: float) -> bool:
    """Read whatever is there; True once the server closed or reset the connection."""
    connection.settimeout(seconds)
    try:
        while connection.recv(1 << 20):
            pass
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    return True


def test_a_subscriber_that_stops_reading_is_dropped_and_costs_little(busy: RunningServer) -> None:
    # Before: each event carried both bodies, a stuck subscriber was kept for ever and its queue
    # held up to 1000 of them (here +200 MB for 300 requests of 256 KiB).
    requests.post(f"{busy.control}/http", json={"name": "slow"}, timeout=10)
    base = quiet(busy)
    stuck = raw_get(busy, "/api/v1/events", receive_buffer=4096)  # and never reads
    events: list[dict[str, object]] = []
    reading = threading.Thread(target=_read_events, args=(busy, events), daemon=True)
    reading.start()
    assert eventually(lambda: waiting(busy) == base + 2)
    before = memory(busy.pid)
    with requests.Session() as http:
        for _ in range(1500):
            http.post(f"{busy.control}/mockhttp/slow{LONG_PATH}", data=BODY, timeout=10)
    grown = memory(busy.pid) - before
    assert eventually(lambda: waiting(busy) == base + 1)  # the stuck one is gone
    assert grown < 60, f"a stuck subscriber grew the server by {grown} MiB"
    assert eventually(lambda: len(events) >= 1500)  # the reading one got everything
    ids = [event["id"] for event in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)  # type: ignore[type-var]
    assert not {"body", "headers", "response"} & set(events[-1])  # summaries
    assert is_closed_by_the_server(stuck, 30)
    stuck.close()


def _read_events(server: RunningServer, events: list[dict[str, object]]) -> None:
    url = f"{server.control}/api/v1/events"
    with httpx.stream("GET", url, params={"session": "slow"}, timeout=60) as stream:
        for line in stream.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
                if len(events) >= 1500:
                    return


@pytest.mark.parametrize(
    "target",
    [
        "/api/v1/requests?session=default&wait=120&count=1000000",
        "/api/v1/mail?wait=120&to=nobody-ever",
    ],
    ids=["requests", "mail"],
)
def test_a_long_poll_ends_when_its_client_goes_away(busy: RunningServer, target: str) -> None:
    # Before: the server kept waiting (and listening to every event) for the whole 120 s.
    base = quiet(busy)
    poll = raw_get(busy, target)
    assert eventually(lambda: waiting(busy) == base + 1)
    poll.close()
    assert eventually(lambda: waiting(busy) == base, seconds=5)


def test_a_verification_wait_ends_when_its_client_goes_away(busy: RunningServer) -> None:
    base = quiet(busy)
    host, port = busy.control.removeprefix("http://").rsplit(":", 1)
    body = json.dumps({"rule": "GET /never", "wait": 120}).encode()
    with socket.create_connection((host, int(port))) as poll:
        poll.sendall(
            b"POST /api/v1/verify HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (host.encode(), len(body), body)
        )
        assert eventually(lambda: waiting(busy) == base + 1)
    assert eventually(lambda: waiting(busy) == base, seconds=5)
