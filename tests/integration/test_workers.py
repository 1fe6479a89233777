"""`pretenders serve --workers N`: N whole servers on the same ports (SO_REUSEPORT) sharing one
real redis-server, started and stopped as one: control calls, /mockhttp/ answers, proxied
requests and mail spread over the workers land in one session, counted exactly."""

import os
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
import requests

from pretenders_proxy.server import ready
from pretenders_proxy.server.workers import folder_prefix
from pretenders_proxy.testing.launcher import RunningServer, start
from tests.integration.redis_server import RedisServer
from tests.integration.upstream import Upstream
from tests.integration.v1_clients import client, opened

CONNECTIONS = 24
"""Fresh connections per check: all on one of two workers has odds of 2 in 2**24."""


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("workers") / "redis").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def fleet(
    redis: RedisServer, confdir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[RunningServer, dict[str, object]]]:
    """Two workers, and what their ready file says."""
    reverse = ["--reverse", "http://upstream.test=0"]
    server, content = launch(redis, confdir, tmp_path_factory.mktemp("fleet"), *reverse)
    yield server, content
    server.stop()


def launch(
    redis: RedisServer, confdir: Path, folder: Path, *extra: str
) -> tuple[RunningServer, dict[str, object]]:
    ready_file = folder / "ready.json"
    args = ["--workers", "2", "--store", redis.url, "--ready-file", str(ready_file), *extra]
    server = start(args, confdir=confdir)
    content = ready.read(ready_file)
    assert content is not None
    return server, content


def worker_pids(content: dict[str, object]) -> list[int]:
    pids = content["workers"]
    assert isinstance(pids, list)
    return pids


def health_and_answer(control: str, path: str) -> tuple[int, requests.Response]:
    """On one fresh connection: the pid of the worker it reached, then the answer to `path`."""
    with requests.Session() as connection:
        pid = connection.get(control + "/health", timeout=10).json()["pid"]
        return pid, connection.get(control + path, timeout=10)


def listening_pids(port: int) -> set[int]:
    """The processes with a socket listening on `port` (from /proc: no tool needed)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            for row in list(rows)[1:]:
                fields = row.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(fields[9])
    found = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            links = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
        except OSError:
            continue
        if any(f"socket:[{inode}]" in links for inode in inodes):
            found.add(int(pid))
    return found


def gone(pid: int, within: float = 15.0) -> bool:
    """Whether `pid` ended (or is a zombie nobody reaped yet) within `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def test_the_ready_file_is_the_parents_written_once_with_every_worker(
    fleet: tuple[RunningServer, dict[str, object]],
) -> None:
    server, content = fleet
    pids = worker_pids(content)
    assert content["pid"] == server.pid and len(set(pids)) == 2 and server.pid not in pids
    assert sum("ready" in line for line in server.output) == 1  # one banner, worker 0's
    assert any(line.split()[:2] == ["workers", "2"] for line in server.output)
    for name in ("control", "proxy", "smtp", "reverse:http://upstream.test"):
        port = int(server.listeners[name].rsplit(":", 1)[1])
        assert listening_pids(port) == set(pids), name


def test_mock_answers_spread_over_workers_count_times_once_and_keep_every_request(
    fleet: tuple[RunningServer, dict[str, object]], session_name: str
) -> None:
    server, content = fleet
    opened(server.control, session_name).when("GET /stock").reply("12 left", times=10)
    answered = [
        health_and_answer(server.control, f"/mockhttp/{session_name}/stock")
        for _ in range(CONNECTIONS)
    ]
    assert {pid for pid, _ in answered} == set(worker_pids(content))
    statuses = [answer.status_code for _, answer in answered]
    assert statuses == [200] * 10 + [404] * (CONNECTIONS - 10)
    history = client(server.control, session_name).requests()
    assert [r.source for r in history] == ["preset"] * 10 + ["miss"] * (CONNECTIONS - 10)
    listed = {  # every worker lists the same history
        pid: answer.json()
        for pid, answer in (
            health_and_answer(server.control, f"/api/v1/requests?session={session_name}")
            for _ in range(CONNECTIONS)
        )
    }
    assert set(listed) == set(worker_pids(content))
    first, second = listed.values()
    assert first == second and len(first) == CONNECTIONS


def test_sessions_made_through_one_worker_are_seen_by_all(
    fleet: tuple[RunningServer, dict[str, object]], session_name: str
) -> None:
    server, content = fleet
    opened(server.control, session_name)
    seen: dict[int, bool] = {}
    for _ in range(CONNECTIONS):
        with requests.Session() as connection:
            pid = connection.get(server.control + "/health", timeout=10).json()["pid"]
            names = connection.get(server.control + "/api/v1/sessions", timeout=10).json()
            seen[pid] = session_name in {s["name"] for s in names}
    assert seen == dict.fromkeys(worker_pids(content), True)


def test_proxied_requests_and_mail_through_several_workers_land_in_one_session(
    fleet: tuple[RunningServer, dict[str, object]], session_name: str
) -> None:
    server, _ = fleet
    opened(server.control, session_name).when("GET /hello").reply("hi", times=CONNECTIONS - 4)
    proxy = server.proxy.replace("://", f"://{session_name}:x@", 1)
    answers = [  # requests.get: a connection of its own each
        requests.get("http://api.test/hello", proxies={"http": proxy}, timeout=10)
        for _ in range(CONNECTIONS)
    ]
    assert [a.status_code for a in answers] == [200] * (CONNECTIONS - 4) + [404] * 4
    for n in range(CONNECTIONS):
        message = EmailMessage()
        message["Subject"], message["From"], message["To"] = f"n{n}", "a@x.test", "b@x.test"
        message.set_content("hello")
        with smtplib.SMTP(*server.smtp, timeout=10) as smtp:
            smtp.login(session_name, "x")
            smtp.send_message(message)
    seen = client(server.control, session_name)
    assert len(seen.requests()) == CONNECTIONS
    subjects = sorted(mail.subject for mail in seen.mail.list())
    assert subjects == sorted(f"n{n}" for n in range(CONNECTIONS))


def test_stop_leaves_no_worker_behind(redis: RedisServer, confdir: Path, tmp_path: Path) -> None:
    server, content = launch(redis, confdir, tmp_path)
    assert server.stop() == 0
    assert all(gone(pid) for pid in worker_pids(content))
    assert not (tmp_path / "ready.json").exists()
    assert server.output[-1] == "pretenders stopped"


def test_workers_end_with_the_parent_however_it_ends(
    redis: RedisServer, confdir: Path, tmp_path: Path
) -> None:
    server, content = launch(redis, confdir, tmp_path)
    os.kill(server.pid, signal.SIGKILL)  # no chance to stop them: the kernel tells them
    assert server.process is not None and server.process.wait(10) == -signal.SIGKILL
    assert all(gone(pid) for pid in worker_pids(content))
    assert not list(Path(tempfile.gettempdir()).glob(folder_prefix(server.pid) + "*"))


def test_a_worker_that_dies_is_said_and_the_others_keep_serving(
    redis: RedisServer, confdir: Path, tmp_path: Path
) -> None:
    server, content = launch(redis, confdir, tmp_path)
    try:
        dead, alive = worker_pids(content)
        os.kill(dead, signal.SIGKILL)
        assert gone(dead)
        deadline = time.monotonic() + 10
        while not any("worker" in line and "ended" in line for line in server.output):
            assert time.monotonic() < deadline, server.output
            time.sleep(0.05)
        assert "status 137; 1 of 2 keep serving" in server.output[-1]
        pids = {health_and_answer(server.control, "/")[0] for _ in range(CONNECTIONS)}
        assert pids == {alive}
    finally:
        assert server.stop() == 0
    assert gone(alive)


def test_workers_without_a_shared_store_are_refused(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "pretenders_proxy", "serve", "--workers", "2"]
    command += ["--port", "0", "--proxy-port", "0", "--smtp-port", "0", "--confdir", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "pretenders: --workers 2 needs a shared store (--store redis://...): "
        "a memory store cannot be shared between processes"
    ]


def test_a_taken_port_stops_start_up_in_one_line(redis: RedisServer, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        command = [sys.executable, "-m", "pretenders_proxy", "serve", "--workers", "2"]
        command += ["--store", redis.url, "--port", str(port), "--proxy-port", "0"]
        command += ["--smtp-port", "0", "--confdir", str(tmp_path)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"pretenders: control API: port {port} on 127.0.0.1 is already in use (choose another port)"
    ]


def test_record_and_replay_take_workers_too(
    redis: RedisServer, confdir: Path, tmp_path: Path, upstream: Upstream
) -> None:
    cassette = str(tmp_path / "counter.cassette")
    shared = ["--workers", "2", "--store", redis.url]
    recorder = start(
        [cassette, *shared, "--store-prefix", "rec"], command="record", confdir=confdir
    )
    try:
        recorded = [  # a connection of its own each: both workers record
            requests.post(f"{upstream.url}/counter", data=b"1", proxies={"http": recorder.proxy})
            for _ in range(CONNECTIONS)
        ]
    finally:
        assert recorder.stop() == 0
    assert [r.text for r in recorded] == [str(n) for n in range(1, CONNECTIONS + 1)]
    player = start([cassette, *shared, "--store-prefix", "play"], command="replay", confdir=confdir)
    try:
        played = [
            requests.post(f"{upstream.url}/counter", data=b"1", proxies={"http": player.proxy})
            for _ in range(CONNECTIONS)
        ]
    finally:
        assert player.stop() == 0
    assert [r.text for r in played] == [r.text for r in recorded]  # in order, whoever answers
    assert requests.get(f"{upstream.url}/counter", timeout=10).text == str(CONNECTIONS)


def test_a_ready_file_left_by_an_earlier_run_goes_before_the_workers_start(
    redis: RedisServer, confdir: Path, tmp_path: Path
) -> None:
    ready_file = tmp_path / "ready.json"
    ready.write(ready_file, {"pid": 1, "listeners": {"control": "http://127.0.0.1:1"}})
    command = [sys.executable, "-m", "pretenders_proxy", "serve", "--workers", "2"]
    command += ["--store", redis.url, "--port", "0", "--proxy-port", "0", "--smtp-port", "0"]
    command += ["--confdir", str(confdir), "--ready-file", str(ready_file)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        seen = []
        deadline = time.monotonic() + 30
        while (content := ready.read(ready_file)) is None or content["pid"] != process.pid:
            assert time.monotonic() < deadline and process.poll() is None
            seen.append(content)
            time.sleep(0.01)
        assert None in seen  # the stale file went first, and never came back
        assert seen[seen.index(None) :] == [None] * (len(seen) - seen.index(None))
    finally:
        process.terminate()
        assert process.wait(15) == 0
