"""Two pretenders instances on one real redis-server (`--store redis://`, issue 18): they act as
one — sessions, presets with their `times`, history, mail and waits — and the state outlives an
instance killed with SIGKILL; while Redis is down every listener says so (503, SMTP 451) and
all comes back by itself when it returns."""

import shutil
import smtplib
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
import requests

from pretenders_proxy.testing.launcher import RunningServer, start
from tests.integration.redis_server import RedisServer
from tests.integration.upstream import Upstream
from tests.integration.v1_clients import client, opened


def instance(redis: RedisServer, confdir: Path, *extra: str) -> RunningServer:
    return start(["--store", redis.url, *extra], confdir=confdir)


@pytest.fixture
def pair(redis_server: RedisServer, confdir: Path) -> Iterator[list[RunningServer]]:
    servers = [instance(redis_server, confdir), instance(redis_server, confdir)]
    yield servers
    for server in servers:
        server.stop()


def through(server: RunningServer, session: str, url: str) -> requests.Response:
    proxy = server.proxy.replace("://", f"://{session}:x@", 1)
    return requests.get(url, proxies={"http": proxy}, timeout=10)


def send_mail(server: RunningServer, session: str, to: str) -> None:
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = "Your code", "app@x.test", to
    message.set_content("code 123456")
    with smtplib.SMTP(*server.smtp, timeout=10) as smtp:
        smtp.login(session, "x")
        smtp.send_message(message)


def test_a_times_3_preset_made_on_a_answers_three_requests_sent_through_both(
    pair: list[RunningServer],
) -> None:
    shop = opened(pair[0].control, "shop")
    shop.when("GET /stock").reply("12 left", times=3)
    answers = [through(pair[n % 2], "shop", "http://api.test/stock") for n in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 404]
    assert [r.text for r in answers[:3]] == ["12 left"] * 3
    assert "X-Pretenders-Miss" in answers[3].headers
    for server in pair:  # the miss is listed by both, as is everything else
        seen = client(server.control, "shop")
        assert [m.path for m in seen.misses()] == ["/stock"]
        assert [r.source for r in seen.requests()] == ["preset"] * 3 + ["miss"]
        assert seen.presets() == []  # used up, for both


def test_times_hold_exactly_under_concurrent_requests_through_both(
    pair: list[RunningServer],
) -> None:
    shop = opened(pair[0].control, "rush")
    shop.when("GET /last").reply("yours", times=25)
    proxies = [server.proxy.replace("://", "://rush:x@", 1) for server in pair]
    statuses: list[int] = []

    def hit(proxy: str) -> None:
        with httpx.Client(proxy=proxy) as client:
            for _ in range(20):
                statuses.append(client.get("http://api.test/last").status_code)

    threads = [threading.Thread(target=hit, args=(proxies[n % 2],)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses).count(200) == 25 and statuses.count(404) == 55
    history = client(pair[1].control, "rush").requests()
    assert len(history) == 80 and sum(r.source == "preset" for r in history) == 25


def test_a_wait_on_a_ends_when_the_request_reaches_b(pair: list[RunningServer]) -> None:
    a, b = pair
    waiter = opened(a.control, "waits")
    arrived: list[float] = []

    def wait() -> None:
        waiter.wait_for_requests(1, timeout=30, path="/late")
        arrived.append(time.monotonic())

    thread = threading.Thread(target=wait)
    thread.start()
    time.sleep(0.5)  # the wait is blocked on A by now
    sent = time.monotonic()
    assert through(b, "waits", "http://api.test/late").status_code == 404
    thread.join(30)
    assert arrived, "the wait on A never saw the request sent through B"
    # Woken by the change, not by a poll: long before the follower's 5 s block ends.
    assert arrived[0] - sent < 2


def test_mail_sent_to_b_is_what_a_waits_for(pair: list[RunningServer]) -> None:
    a, b = pair
    box = opened(a.control, "post")
    found: list[object] = []
    thread = threading.Thread(target=lambda: found.append(box.mail.wait(to="erin@", timeout=30)))
    thread.start()
    time.sleep(0.3)
    send_mail(b, "post", "erin@x.test")
    thread.join(30)
    assert found and "123456" in box.mail.raw(box.mail.list()[0].id).decode()
    assert len(client(b.control, "post").mail.list()) == 1


def test_sigkill_loses_nothing_and_the_restarted_instance_sees_it_all(
    redis_server: RedisServer, confdir: Path
) -> None:
    a, b = instance(redis_server, confdir), instance(redis_server, confdir)
    try:
        kept = opened(a.control, "kept", timeout="FOREVER")
        kept.when("GET /a").reply("A", times=5)
        kept.when("GET /b").reply("B")
        assert through(a, "kept", "http://api.test/a").text == "A"
        assert through(b, "kept", "http://api.test/b").text == "B"
        assert a.process is not None
        a.process.kill()  # SIGKILL: no goodbye
        a.process.wait()
        assert through(b, "kept", "http://api.test/a").text == "A"  # B serves on
        a = instance(redis_server, confdir)
        again = client(a.control, "kept")
        presets = [(p["rule"]["rule"], p["times"], p["remaining"]) for p in again.presets()]
        assert presets == [("GET /a", 5, 3), ("GET /b", "FOREVER", "FOREVER")]
        assert [r.path for r in again.requests()] == ["/a", "/b", "/a"]
        assert through(a, "kept", "http://api.test/a").text == "A"
    finally:
        a.stop()
        b.stop()


def test_redis_down_is_a_503_or_a_451_everywhere_and_then_it_all_comes_back(
    pair: list[RunningServer], redis_server: RedisServer
) -> None:
    a, b = pair
    held = opened(a.control, "held", timeout="FOREVER")
    held.when("GET /x").reply("x")
    assert through(b, "held", "http://api.test/x").text == "x"
    redis_server.stop()
    api = httpx.get(f"{a.control}/api/v1/requests", params={"session": "held"})
    assert api.status_code == 503 and "unreachable" in api.json()["error"]
    proxied = through(b, "held", "http://api.test/x")
    assert proxied.status_code == 503 and "X-Pretenders-Error" in proxied.headers
    assert "shared store" in proxied.text
    mock = httpx.get(f"{a.control}/mockhttp/held/x")
    assert mock.status_code == 503 and "X-Pretenders-Error" in mock.headers
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send_mail(b, "held", "erin@x.test")
    assert all(code == 451 for code, _ in refused.value.recipients.values())
    health = httpx.get(f"{a.control}/health").json()["store"]
    assert health["kind"] == "redis" and health["state"] == "down" and health["problem"]
    redis_server.start()  # same port and folder: what it kept is back
    assert through(b, "held", "http://api.test/x").text == "x"
    assert [r.path for r in held.requests()] == ["/x", "/x"]  # the refused one never counted
    assert httpx.get(f"{a.control}/health").json()["store"]["state"] == "up"


def test_equal_requests_replay_in_recorded_order_whichever_instance_they_reach(
    redis_server: RedisServer, confdir: Path, tmp_path: Path, upstream: Upstream
) -> None:
    folder = ["--cassette-dir", str(tmp_path)]
    a, b = instance(redis_server, confdir, *folder), instance(redis_server, confdir, *folder)
    try:
        cassette = str(tmp_path / "counter.cassette")
        count = opened(a.control, "count", timeout="FOREVER")
        count.set_mode(mode="record", cassettes=[cassette])
        proxy = a.proxy.replace("://", "://count:x@", 1)
        recorded = [
            requests.post(f"{upstream.url}/counter", data=b"1", proxies={"http": proxy}).text
            for _ in range(3)
        ]
        assert recorded == ["1", "2", "3"]
        count.set_mode(mode="replay", cassettes=[cassette])  # through A; B follows
        played = []
        for n in range(5):
            proxy = [a, b][n % 2].proxy.replace("://", "://count:x@", 1)
            answer = requests.post(f"{upstream.url}/counter", data=b"1", proxies={"http": proxy})
            played.append(answer.text)
        assert played == ["1", "2", "3", "3", "3"]  # then the last again (repeat: last)
        assert requests.get(f"{upstream.url}/counter", timeout=10).text == "3"  # none passed on
        assert client(b.control, "count").mode()["mode"] == "replay"
        count.set_mode(mode="mock")  # through A: B's copy, replaying, is behind from now on
        proxy = b.proxy.replace("://", "://count:x@", 1)
        answer = requests.post(f"{upstream.url}/counter", data=b"1", proxies={"http": proxy})
        assert answer.status_code == 404 and "X-Pretenders-Miss" in answer.headers
    finally:
        a.stop()
        b.stop()


def test_a_session_expires_for_every_instance_unless_traffic_reaches_one(
    pair: list[RunningServer],
) -> None:
    a, b = pair
    opened(a.control, "brief", timeout=1)
    for _ in range(4):  # 1.6 s of traffic, all of it through B
        assert httpx.get(f"{b.control}/mockhttp/brief/x").status_code == 404  # a miss: alive
        time.sleep(0.4)
    assert httpx.get(f"{a.control}/api/v1/sessions/brief").status_code == 200
    time.sleep(1.5)
    for server in pair:
        assert httpx.get(f"{server.control}/api/v1/sessions/brief").status_code == 404
        gone = httpx.get(f"{server.control}/mockhttp/brief/x")
        assert gone.status_code == 404 and "no mock named" in gone.text


def test_history_and_mail_are_bounded_for_the_fleet_and_say_what_they_dropped(
    redis_server: RedisServer, confdir: Path
) -> None:
    bound = ("--history-limit", "5")
    a, b = instance(redis_server, confdir, *bound), instance(redis_server, confdir, *bound)
    try:
        opened(a.control, "kept", timeout="FOREVER")
        for n in range(8):
            through([a, b][n % 2], "kept", f"http://api.test/{n}")
        for n in range(7):
            send_mail([a, b][n % 2], "kept", f"to{n}@x.test")
        for server in (a, b):
            listed = httpx.get(f"{server.control}/api/v1/requests", params={"session": "kept"})
            assert [r["path"] for r in listed.json()] == ["/3", "/4", "/5", "/6", "/7"]
            assert listed.headers["X-Pretenders-Dropped"] == "3"
            mail = httpx.get(f"{server.control}/api/v1/mail", params={"session": "kept"})
            assert len(mail.json()) == 5 and mail.headers["X-Pretenders-Dropped"] == "2"
    finally:
        a.stop()
        b.stop()


def test_an_smtp_preset_s_times_hold_for_mail_sent_to_both(pair: list[RunningServer]) -> None:
    box = opened(pair[0].control, "refusing", timeout="FOREVER").mail
    box.add_preset(stage="rcpt", recipient="erin@", action="reject", times=2)
    outcomes = []
    for n in range(3):
        try:
            send_mail(pair[n % 2], "refusing", "erin@x.test")
            outcomes.append("accepted")
        except smtplib.SMTPRecipientsRefused as refused:
            outcomes.append(str(next(iter(refused.recipients.values()))[0]))
    assert outcomes == ["550", "550", "accepted"]
    assert box.presets() == [] and len(box.list()) == 1


@pytest.mark.parametrize(
    ("store", "said"),
    [
        ("redis://127.0.0.1:1/0", "--store redis://127.0.0.1:1/0: cannot reach it"),
        ("http://cache:6379", "--store 'http://cache:6379': give memory, redis://host:port/db"),
    ],
)
def test_a_store_that_cannot_be_used_stops_start_up_with_one_line(store: str, said: str) -> None:
    command = [sys.executable, "-m", "pretenders_proxy", "serve", "--store", store]
    command += ["--port", "0", "--proxy-port", "0", "--smtp-port", "0"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert said in done.stderr and "Traceback" not in done.stderr


def test_a_mock_answers_as_the_presets_made_on_the_other_instance_a_moment_ago_say(
    pair: list[RunningServer],
) -> None:
    a, b = pair
    made = opened(a.control, "latest", timeout="FOREVER")
    url = f"{b.control}/mockhttp/latest/x"
    assert httpx.get(url).status_code == 404  # B holds a copy of the session from now on
    preset = made.when("GET /x").reply("made on A")
    assert httpx.get(url).text == "made on A"  # B's copy was behind: checked, answered again
    httpx.delete(f"{a.control}/api/v1/presets/{preset['id']}").raise_for_status()
    assert httpx.get(url).status_code == 404
    sources = [r.source for r in client(b.control, "latest").requests()]
    assert sources == ["miss", "preset", "miss"]  # each once: a retry keeps nothing twice


def test_served_counts_are_the_fleets_and_each_request_counts_once(
    pair: list[RunningServer],
) -> None:
    """A preset with `times` is counted by the take that hands it out, not again when its
    answer is journaled; one answered again from a stale copy counts once; and either instance
    lists what the fleet served, not what its own copy picked."""
    made = opened(pair[0].control, "counted", timeout="FOREVER")
    made.when("GET /items/json/once$").reply("once", times=1)
    made.when("GET /items/json$").reply("json", times=5)
    made.when("GET /items/").reply("any")
    paths = ["json", "other", "json/once", "json", "json/once", "json", "json"]
    for n, path in enumerate(paths):
        answer = httpx.get(f"{pair[n % 2].control}/mockhttp/counted/items/{path}")
        assert answer.status_code == 200
    for server in pair:
        listed = client(server.control, "counted").presets()
        assert [(p["rule"]["rule"], p["served"]) for p in listed] == [
            ("GET /items/json$", 4),
            ("GET /items/", 2),
        ]


def test_an_instance_copies_the_store_afresh_once_redis_went_back(
    redis_server: RedisServer, confdir: Path, tmp_path: Path
) -> None:
    a = instance(redis_server, confdir)
    try:
        fleet = opened(a.control, "back", timeout="FOREVER")
        fleet.when("GET /kept").reply("kept")
        redis_server.stop()
        shutil.copytree(redis_server.folder, tmp_path / "earlier")  # what a replica holds
        redis_server.start()
        lost = fleet.when("GET /lost").reply("lost")
        assert through(a, "back", "http://api.test/lost").text == "lost"
        redis_server.stop()  # a failover to the replica that was behind: the writes are gone
        shutil.rmtree(redis_server.folder)
        shutil.copytree(tmp_path / "earlier", redis_server.folder)
        redis_server.start()
        assert through(a, "back", "http://api.test/lost").status_code == 404
        made = fleet.when("GET /new").reply("new")
        assert made["id"] == lost["id"]  # Redis gives the id out again
        assert through(a, "back", "http://api.test/new").text == "new"
        assert [p["rule"]["rule"] for p in fleet.presets()] == ["GET /kept", "GET /new"]
    finally:
        a.stop()
