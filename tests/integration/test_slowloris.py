"""Slowloris and file descriptors (issue 15, part 5), over real sockets: a request head begun
gets --header-timeout, a silent connection --idle-timeout, each listener --max-connections
(refused cleanly past it, serving what it has), and running out of files is one log line per
interval, not a traceback per failed accept."""

import contextlib
import resource
import select
import smtplib
import socket
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from pathlib import Path

import httpx
import pytest
import requests

from pretenders_proxy.testing.launcher import RunningServer, launch, start
from tests.integration.mailing import message

BOUND = 10.0
"""Generous: each timeout under test is 1 or 2 seconds."""
CAP = 20


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    flags = ["--header-timeout", "1", "--idle-timeout", "2", "--upstream-timeout", "1"]
    with launch(flags, confdir=tmp_path_factory.mktemp("quick")) as server:
        yield server


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    flags = ["--max-connections", str(CAP)]
    with launch(flags, confdir=tmp_path_factory.mktemp("capped")) as server:
        yield server


def address(url: str) -> tuple[str, int]:
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    return host.strip("[]"), int(port)


def connect(where: tuple[str, int]) -> socket.socket:
    return socket.create_connection(where, timeout=BOUND)


def read_to_end(connection: socket.socket, deadline: float) -> bytes | None:
    """Everything the server sends until it closes; None if it is still open at `deadline`."""
    got = b""
    while (left := deadline - time.monotonic()) > 0:
        if not select.select([connection], [], [], left)[0]:
            break
        try:
            chunk = connection.recv(65536)
        except ConnectionResetError:
            return got
        if not chunk:
            return got
        got += chunk
    return None


def trickle(connection: socket.socket, head: bytes, deadline: float) -> bytes | None:
    """Send `head` a byte every 0.2 s (each byte restarts an idle timer) until the server
    answers; then what it sent until it closed (None: it never did by `deadline`)."""
    for byte in head:
        with contextlib.suppress(OSError):  # the server may have closed already
            connection.send(bytes([byte]))
        if select.select([connection], [], [], 0.2)[0]:
            return read_to_end(connection, deadline)
        if time.monotonic() > deadline:
            return None
    return read_to_end(connection, deadline)


HALF = b"GET http://x.test/ HTTP/1.1\r\nHost: x.test\r\n"
SLOW = HALF + b"".join(b"X-Slow-%d: y\r\n" % n for n in range(200))


@pytest.mark.parametrize("listener", ["control", "proxy"])
@pytest.mark.parametrize("how", ["stalled", "trickled"])
def test_a_request_head_begun_gets_408_after_the_header_timeout(
    quick: RunningServer, listener: str, how: str
) -> None:
    where = address(quick.control if listener == "control" else quick.proxy)
    deadline = time.monotonic() + BOUND
    with connect(where) as connection:
        if how == "stalled":
            connection.sendall(HALF)
            answer = read_to_end(connection, deadline)
        else:
            answer = trickle(connection, SLOW, deadline)
    assert answer is not None, f"a {how} head held the {listener} port for {BOUND:g}s"
    assert answer.startswith(b"HTTP/1.1 408 ")
    if listener == "control":
        assert b"did not arrive within 1s (--header-timeout)" in answer
    assert requests.get(quick.control + "/health", timeout=BOUND).ok


def test_a_head_inside_a_connect_tunnel_gets_408_too(quick: RunningServer) -> None:
    with connect(address(quick.proxy)) as connection:
        connection.sendall(b"CONNECT x.test:80 HTTP/1.1\r\nHost: x.test:80\r\n\r\n")
        assert connection.recv(4096).startswith(b"HTTP/1.1 200 ")
        connection.sendall(HALF)
        answer = read_to_end(connection, time.monotonic() + BOUND)
    assert answer is not None and answer.startswith(b"HTTP/1.1 408 ")


@pytest.mark.parametrize("listener", ["control", "proxy", "smtp"])
def test_a_silent_connection_is_closed_after_the_idle_timeout(
    quick: RunningServer, listener: str
) -> None:
    where = quick.smtp if listener == "smtp" else address(getattr(quick, listener))
    with connect(where) as connection:
        if listener == "smtp":
            assert connection.recv(4096).startswith(b"220 ")
        closed = read_to_end(connection, time.monotonic() + BOUND)
    assert closed is not None, f"an idle connection held the {listener} port for {BOUND:g}s"


def test_waits_of_the_server_outlast_the_idle_timeout(quick: RunningServer) -> None:
    """The idle timeout is 2 s: a long-poll, the event stream and presets' delays last 3 to 4 s
    and end as they should, since the server is the one waiting."""
    control = quick.control
    mock = requests.post(control + "/http", json={}, timeout=BOUND).json()["id"]
    late = {"rule": "GET /late", "text": "late", "after": 3}
    for session in ("default", mock):
        added = requests.post(
            control + "/api/v1/presets", params={"session": session}, json=late, timeout=BOUND
        )
        assert added.status_code == 201, added.text

    def long_poll() -> object:
        answer = requests.get(control + "/api/v1/mail?wait=4&count=1000", timeout=BOUND)
        return answer.status_code, "waited" in answer.json()["error"]

    def proxied() -> object:
        answer = requests.get("http://x.test/late", proxies={"http": quick.proxy}, timeout=BOUND)
        return answer.status_code, answer.text

    def mocked() -> object:
        answer = requests.get(f"{control}/mockhttp/{mock}/late", timeout=BOUND)
        return answer.status_code

    def events() -> object:
        with httpx.stream("GET", control + "/api/v1/events", timeout=BOUND) as stream:
            lines = stream.iter_lines()
            assert next(lines) == ": connected"
            time.sleep(4)
            requests.get("http://x.test/after-the-wait", proxies={"http": quick.proxy})
            return next(line for line in lines if line.startswith("event:"))

    waits: list[Callable[[], object]] = [long_poll, proxied, mocked, events]
    with ThreadPoolExecutor(len(waits)) as pool:
        done = [pool.submit(wait) for wait in waits]
        results = [future.result() for future in done]
    assert results == [(408, True), (200, "late"), 200, "event: request"]


def test_past_the_cap_new_connections_are_refused_and_open_ones_keep_being_served(
    capped: RunningServer,
) -> None:
    control, proxy, smtp = address(capped.control), address(capped.proxy), capped.smtp
    kept = {"rule": "GET /kept", "text": "kept"}
    requests.post(capped.control + "/api/v1/presets", json=kept, timeout=BOUND).raise_for_status()
    with contextlib.ExitStack() as stack:
        # one connection of our own on each listener, opened before the attack
        web, via = HTTPConnection(*control, timeout=BOUND), HTTPConnection(*proxy, timeout=BOUND)
        stack.callback(web.close)
        stack.callback(via.close)
        assert ask(web, "/health")[0] == 200 and ask(via, "http://x.test/kept")[0] == 200
        mail = stack.enter_context(smtplib.SMTP(*smtp, timeout=BOUND))
        attackers = [connect(w) for w in (control, proxy, smtp) for _ in range(CAP - 1)]
        stack.callback(lambda: [a.close() for a in attackers])
        deadline = time.monotonic() + BOUND
        for where, refusal in [
            (control, b"HTTP/1.1 503 "),
            (proxy, b"HTTP/1.1 503 "),
            (smtp, b"421 "),
        ]:
            with connect(where) as extra:
                answer = read_to_end(extra, deadline)
            assert answer is not None and answer.startswith(refusal), (where, answer)
            assert b"--max-connections" in answer
        assert ask(web, "/health")[0] == 200
        assert ask(via, "http://x.test/kept") == (200, b"kept")
        assert mail.send_message(message("at the cap")) == {}
        assert b"at the cap" in ask(web, "/api/v1/mail")[1]
    # the attackers are gone: every listener takes new connections again
    assert eventually(lambda: requests.get(capped.control + "/health", timeout=BOUND).ok)
    through = requests.get("http://x.test/kept", proxies={"http": capped.proxy}, timeout=BOUND)
    assert through.text == "kept"
    with smtplib.SMTP(*smtp, timeout=BOUND) as again:
        assert again.send_message(message("after")) == {}
    assert "Traceback" not in "\n".join(capped.output)


def ask(connection: HTTPConnection, target: str) -> tuple[int, bytes]:
    """GET `target` (a path on the control port, an absolute URL through the proxy); the Host
    header is the listener's own address, which the control port's Host list allows."""
    connection.request("GET", target)
    answer = connection.getresponse()
    return answer.status, answer.read()


def eventually(check: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + BOUND
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.ConnectionError):
            if check():
                return True
        time.sleep(0.1)
    return False


@pytest.mark.skipif(not hasattr(resource, "prlimit"), reason="needs Linux's prlimit")
def test_running_out_of_files_is_one_log_line_per_interval_and_passes(tmp_path: Path) -> None:
    with launch([], confdir=tmp_path) as server:
        in_use = len(list(Path(f"/proc/{server.pid}/fd").iterdir()))
        # start-up raised the soft limit to the hard one: lower both under the server's feet
        resource.prlimit(server.pid, resource.RLIMIT_NOFILE, (in_use + 10, in_use + 10))
        crowd = [connect(address(server.control)) for _ in range(60)]
        try:
            time.sleep(4)  # asyncio retries a failed accept every second: four rounds
            said = [line for line in server.output if "cannot accept connections" in line]
            assert len(said) == 1, "\n".join(server.output[-20:])
            assert "Too many open files (EMFILE)" in said[0]
            assert "Traceback" not in "\n".join(server.output)
        finally:
            for connection in crowd:
                connection.close()
        assert eventually(lambda: requests.get(server.control + "/health", timeout=BOUND).ok)


@pytest.mark.skipif(not hasattr(resource, "prlimit"), reason="needs Linux's prlimit")
def test_start_up_raises_the_soft_file_limit_to_the_hard_one(tmp_path: Path) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard <= 256:
        pytest.skip(f"the hard limit {hard} leaves nothing to raise")
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))  # inherited by the server
    try:
        server = start([], confdir=tmp_path)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    try:
        now = resource.prlimit(server.pid, resource.RLIMIT_NOFILE)
    finally:
        server.stop()
    assert now[0] > 256 and (hard == resource.RLIM_INFINITY or now == (hard, hard))
