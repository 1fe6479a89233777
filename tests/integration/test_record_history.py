"""A session with `record_history: false` (issue 20, load tests): answered exactly as any other
(presets' times, near-miss replies, proxy and /mockhttp/ alike) and counted, but kept in no
history, and every call that reads history says so with a 409 rather than an empty list."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from pretenders_proxy import APIError, AsyncPretenders, Pretenders
from pretenders_proxy.testing.launcher import RunningServer, start
from tests.integration.redis_server import RedisServer
from tests.integration.v1_clients import client, opened

SAID = "keeps no history (record_history: false)"


def through(server: RunningServer, session: str, url: str) -> requests.Response:
    proxy = server.proxy.replace("://", f"://{session}:x@", 1)
    return requests.get(url, proxies={"http": proxy}, timeout=10)


def mock(server: RunningServer, session: str, path: str) -> requests.Response:
    return requests.get(f"{server.control}/mockhttp/{session}{path}", timeout=10)


def test_presets_answer_their_times_exactly_and_misses_are_explained(
    server: RunningServer, session_name: str
) -> None:
    quiet = opened(server.control, session_name, record_history=False)
    quiet.when("GET /proxied").reply("p", times=2)
    quiet.when("GET /mocked").reply("m", times=2)
    quiet.when("GET /always").reply("a")
    proxied = [through(server, session_name, "http://api.test/proxied") for _ in range(3)]
    mocked = [mock(server, session_name, "/mocked") for _ in range(3)]
    always = [mock(server, session_name, "/always") for _ in range(4)]
    assert [r.text for r in proxied[:2] + mocked[:2]] == ["p", "p", "m", "m"]
    assert [r.text for r in always] == ["a"] * 4
    for missed, line in ((proxied[2], "GET /proxied"), (mocked[2], "GET /mocked")):
        assert missed.headers["X-Pretenders-Miss"] == "1"
        assert missed.text.startswith(f"No preset matched {line}")
        assert "Closest: preset" in missed.text
    [left] = quiet.presets()
    assert (left["rule"]["rule"], left["served"]) == ("GET /always", 4)
    info = quiet.info()
    assert (info["record_history"], info["requests"], info["requests_seen"]) == (False, 0, 10)


def test_every_read_of_its_history_is_refused_with_the_reason(
    server: RunningServer, session_name: str
) -> None:
    quiet = opened(server.control, session_name, record_history=False)
    through(server, session_name, "http://api.test/nothing")
    refused = [
        quiet.requests,
        quiet.misses,
        quiet.assert_no_misses,
        lambda: quiet.assert_requested("GET /nothing"),
        lambda: quiet.assert_requested("GET /nothing", wait=1),
        lambda: quiet.wait_for_requests(1, timeout=1),
    ]
    for call in refused:
        with pytest.raises(APIError, match=r"keeps no history \(record_history: false\)") as e:
            call()
        assert e.value.status == 409
    for path in (f"/history/{session_name}", f"/history/{session_name}/0"):  # the 1.4 routes
        answer = requests.get(server.control + path, timeout=10)
        assert answer.status_code == 409 and SAID in answer.text
    every = requests.get(f"{server.control}/api/v1/requests", timeout=10)
    assert every.status_code == 200  # all sessions: those that keep history
    assert all(r["session"] != session_name for r in every.json())


def test_switched_on_again_it_records_from_then_on(
    server: RunningServer, session_name: str
) -> None:
    loud = opened(server.control, session_name)
    through(server, session_name, "http://api.test/before")
    assert len(loud.requests()) == 1
    opened(server.control, session_name, record_history=False)  # what it kept goes
    through(server, session_name, "http://api.test/off")
    opened(server.control, session_name, record_history=True)
    through(server, session_name, "http://api.test/after")
    assert [r.path for r in loud.requests()] == ["/after"]
    assert loud.info()["requests_seen"] == 3


def test_a_1_4_mock_and_a_new_session_keep_history(
    server: RunningServer, session_name: str
) -> None:
    made = requests.post(f"{server.control}/http", json={"name": session_name}, timeout=10)
    assert made.status_code == 200, made.text
    assert client(server.control, session_name).info()["record_history"] is True
    with Pretenders(server.control) as root, root.session() as fresh:
        assert fresh.info()["record_history"] is True
        fresh.delete()


async def test_the_async_client_sets_it_too(server: RunningServer, session_name: str) -> None:
    async with AsyncPretenders(server.control) as root:
        quiet = await root.session(session_name, record_history=False)
    async with quiet:
        assert (await quiet.info())["record_history"] is False
        with pytest.raises(APIError, match="keeps no history"):
            await quiet.assert_no_misses()
        await quiet.delete()


@pytest.fixture
def pair(redis_server: RedisServer, confdir: Path) -> Iterator[list[RunningServer]]:
    servers = [start(["--store", redis_server.url], confdir=confdir) for _ in range(2)]
    yield servers
    for server in servers:
        server.stop()


def test_two_instances_count_times_exactly_and_follow_the_switch(
    pair: list[RunningServer],
) -> None:
    a, b = pair
    opened(b.control, "load")  # b keeps a copy that records, until a switches it off
    quiet = opened(a.control, "load", record_history=False)
    quiet.when("GET /stock").reply("12 left", times=3)
    answers = [through(pair[n % 2], "load", "http://api.test/stock") for n in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 404]
    for server in pair:
        info = client(server.control, "load").info()
        assert (info["record_history"], info["requests"], info["requests_seen"]) == (False, 0, 4)
    opened(b.control, "load", record_history=True)
    through(a, "load", "http://api.test/stock")
    for server in pair:
        assert [r.source for r in client(server.control, "load").requests()] == ["miss"]
