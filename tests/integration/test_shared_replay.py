"""Two instances on one real redis-server replaying one cassette through their proxy lanes (the
copy answers with no task: shared/state.py `replay_begun`, proxy/laneshared.py): pipelined
requests through both get each recording exactly once, each connection's in recorded order, as
one memory-store instance hands them out; the fleet's history holds each request once with the
answer its client got; a copy out of date is checked first, its request kept once."""

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import redis
import requests

from pretenders_proxy.cassette import writing
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.testing.launcher import RunningServer, start
from tests.integration.redis_server import RedisServer
from tests.integration.test_fast_lane import fast_answers
from tests.integration.test_proxy_lane import REPLAY, _exchange
from tests.integration.v1_clients import client

RECORDED = 12
"""Recordings of GET /a (answer 0, answer 1, ...); GET /b has one."""
EACH = 20
"""Requests of GET /a each connection sends, pipelined (one in four before it a GET /b)."""


def test_pipelined_replays_through_both_hand_out_each_recording_once_and_keep_it_once(
    redis_server: RedisServer, tmp_path: Path, confdir: Path
) -> None:
    cassette = _cassette(tmp_path)
    both = [_replayer(cassette, confdir, redis_server) for _ in range(2)]
    try:
        before = [fast_answers(server, "proxy") for server in both]
        with ThreadPoolExecutor(2) as pool:
            got = list(pool.map(lambda server: _answers(_exchange(server.proxy, _asks())), both))
        lane = [fast_answers(server, "proxy") - b for server, b in zip(both, before, strict=True)]
        history = _history(both[1])
    finally:
        for server in both:
            server.stop()
    memory = _replayer(cassette, confdir, None)
    try:
        alone = [_answers(_exchange(memory.proxy, _asks())) for _ in range(2)]
    finally:
        memory.stop()
    assert lane == [len(_asks_list())] * 2  # every request answered by the lanes themselves
    for answers in got:  # each connection's in the order they were recorded
        played = [int(body.split()[1]) for path, body in answers if path == "/a"]
        assert played == sorted(played) and len(played) == EACH
    assert Counter(a for answers in got for a in answers) == Counter(a for x in alone for a in x)
    assert Counter(history) == Counter(a for answers in got for a in answers)


@pytest.mark.parametrize(
    ("path", "body"),
    [(b"/a", "answer 0"), (b"/b", "bee")],  # advanced, then appended; one append advancing
    ids=["many recordings", "one recording"],
)
def test_a_copy_out_of_date_is_checked_first_and_its_request_kept_once(
    redis_server: RedisServer, tmp_path: Path, confdir: Path, path: bytes, body: str
) -> None:
    cassette = _cassette(tmp_path)
    a, b = (_replayer(cassette, confdir, redis_server) for _ in range(2))
    try:
        before = fast_answers(b, "proxy")
        first = _answers(_exchange(b.proxy, REPLAY % (b"GET", path, b"", b"")))
        lane = fast_answers(b, "proxy") - before
        client(a.control, "default").set_mode(mode="mock")  # through A: B's copy is behind
        answer = _exchange(b.proxy, REPLAY % (b"GET", path, b"Connection: close\r\n", b""))
        history = requests.get(
            f"{a.control}/api/v1/requests", params={"session": "default"}, timeout=10
        ).json()
    finally:
        a.stop()
        b.stop()
    assert first == [(path.decode(), body)] and lane == 1
    assert answer.startswith(b"HTTP/1.1 404 ") and b"X-Pretenders-Miss" in answer
    assert [(e["path"], e["status"]) for e in history] == [(path.decode(), 200)] * 1 + [
        (path.decode(), 404)
    ]


def test_a_key_with_one_recording_is_counted_by_the_fleet_as_each_replay_is_kept(
    redis_server: RedisServer, tmp_path: Path, confdir: Path
) -> None:
    """GET /b's one recording answers however often it was played: its replay is advanced by
    the `append` of its entry (one round trip), so the fleet counts it as `advance` would."""
    cassette = _cassette(tmp_path)
    a, b = (_replayer(cassette, confdir, redis_server) for _ in range(2))
    try:
        for server in (a, b, a):
            asks = REPLAY % (b"GET", b"/b", b"", b"") * 3
            assert _answers(_exchange(server.proxy, asks)) == [("/b", "bee")] * 3
        history = _history(b)
    finally:
        a.stop()
        b.stop()
    assert history == [("/b", "bee")] * 9
    fleet = redis.Redis.from_url(redis_server.url)
    try:
        (cursor,) = fleet.keys("*:s:default:cursor")
        assert list(map(int, fleet.hvals(cursor))) == [9]
    finally:
        fleet.close()


def _cassette(folder: Path) -> Path:
    cassette = folder / "tape.cassette"
    plain = ((b"Content-Type", b"text/plain"),)
    exchanges = [
        Exchange(Request("GET", b"/a", host="api.test", port=80), Response(200, plain, body))
        for body in (b"answer %d" % n for n in range(RECORDED))
    ]
    exchanges.append(
        Exchange(Request("GET", b"/b", host="api.test", port=80), Response(200, plain, b"bee"))
    )
    writing.write(cassette, exchanges)
    return cassette


def _replayer(cassette: Path, confdir: Path, redis: RedisServer | None) -> RunningServer:
    store = [] if redis is None else ["--store", redis.url]
    return start([str(cassette), *store], confdir=confdir, command="replay")


def _asks_list() -> list[bytes]:
    asks = []
    for n in range(EACH):
        if n % 4 == 0:
            asks.append(REPLAY % (b"GET", b"/b", b"", b""))
        asks.append(REPLAY % (b"GET", b"/a", b"", b""))
    return asks


def _asks() -> bytes:
    return b"".join(_asks_list())


def _answers(got: bytes) -> list[tuple[str, str]]:
    """Each answer's request path (by its body) and body, in the order they came."""
    bodies = re.findall(rb"HTTP/1\.1 200 OK\r\n.*?\r\n\r\n(answer \d+|bee)", got, re.DOTALL)
    return [("/b" if body == b"bee" else "/a", body.decode()) for body in bodies]


def _history(on: RunningServer) -> list[tuple[str, str]]:
    found = requests.get(
        f"{on.control}/api/v1/requests", params={"session": "default", "limit": 1000}, timeout=10
    )
    found.raise_for_status()
    entries: list[dict[str, Any]] = found.json()
    return [(entry["path"], entry["response"]["body"]) for entry in entries]
