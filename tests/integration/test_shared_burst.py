"""Pipelined /mockhttp/ bursts through two instances on one real redis-server (the fast lane's
Redis branch, appends sent in runs): each request is in the fleet's history once, in its
connection's order, and counted once, also while Redis's replies are lost now and then (a
run of appends whose reply was lost is sent again and applied once)."""

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from pretenders_proxy.testing.launcher import RunningServer, start
from tests.integration.lossy import lossy
from tests.integration.redis_server import RedisServer
from tests.integration.test_canned_replies import _exchange
from tests.integration.test_shared_store import instance
from tests.integration.v1_clients import client, opened

ASK = b"GET /mockhttp/burst/items/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
LAST = b"GET /mockhttp/burst/items/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
EACH = 400
"""Requests pipelined on each of the four connections (two to each instance)."""


@pytest.fixture
def pair(redis_server: RedisServer, confdir: Path) -> Iterator[list[RunningServer]]:
    servers = [instance(redis_server, confdir), instance(redis_server, confdir)]
    yield servers
    for server in servers:
        server.stop()


def bursts(pair: list[RunningServer]) -> dict[str, bytes]:
    """Four connections, two to each instance, each sent EACH requests at once; what each got."""
    answers: dict[str, bytes] = {}

    def burst(server: RunningServer, tag: str) -> None:
        paths = [b"%s-%d" % (tag.encode(), n) for n in range(EACH)]
        asks = [ASK % path for path in paths[:-1]] + [LAST % paths[-1]]
        answers[tag] = _exchange(server, b"".join(asks))

    threads = [threading.Thread(target=burst, args=(pair[n % 2], f"c{n}")) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def answered(answers: dict[str, bytes]) -> int:
    return sum(a.count(b"HTTP/1.1 200 OK\r\n") for a in answers.values())


def test_a_pipelined_burst_through_both_is_kept_once_each_in_order_and_counted(
    pair: list[RunningServer],
) -> None:
    opened(pair[0].control, "burst", timeout="FOREVER").when("GET /items/").reply("x")
    answers = bursts(pair)
    assert answered(answers) == 4 * EACH
    for server in pair:
        seen = [r.path for r in client(server.control, "burst").requests()]
        assert len(seen) == 4 * EACH
        for tag in answers:  # each connection's requests in its order
            assert [p for p in seen if p.startswith(f"/items/{tag}-")] == [
                f"/items/{tag}-{n}" for n in range(EACH)
            ]
        assert [p["served"] for p in client(server.control, "burst").presets()] == [4 * EACH]


@pytest.mark.parametrize("times", ["FOREVER", 1_000_000])
def test_replies_lost_mid_burst_apply_nothing_twice(
    redis_server: RedisServer, confdir: Path, times: int | str
) -> None:
    """Redis's replies lost now and then (the connection closed once Redis did the work): a
    run of appends sent again is applied once; a take is not sent again (that request is a
    503), so no request is kept or counted twice."""
    with lossy(redis_server.port, every=7) as relay:
        pair = [start(["--store", relay.url], confdir=confdir) for _ in range(2)]
        try:
            made = opened(pair[0].control, "burst", timeout="FOREVER")
            made.when("GET /items/").reply("x", times=times)
            relay.dropping.set()
            answers = bursts(pair)
            relay.dropping.clear()
            assert relay.dropped > 0
            seen = [r.path for r in client(pair[1].control, "burst").requests()]
            served = [p["served"] for p in client(pair[0].control, "burst").presets()]
        finally:
            for server in pair:
                server.stop()
    assert [path for path, count in Counter(seen).items() if count > 1] == []
    for tag, got in answers.items():  # every request answered 200 is kept (read-your-writes)
        kept = {p for p in seen if p.startswith(f"/items/{tag}-")}
        assert len(kept) >= got.count(b"HTTP/1.1 200 OK\r\n")
    if times == "FOREVER":  # counted with its entry
        assert served == [len(seen)]
    else:  # counted by its take, once: a take whose reply was lost is a request not answered
        assert answered(answers) <= served[0] <= len(seen) + 4 * EACH - answered(answers)


def test_an_answer_remembered_by_one_instance_gives_way_to_presets_changed_through_another(
    pair: list[RunningServer],
) -> None:
    """A's fast lane remembers which preset answers a head (store/memo.py); through B the
    presets are replaced: A's next answer to that same head is the new preset's, kept once."""
    first, second = pair
    opened(first.control, "burst", timeout="FOREVER").when("GET /items/").reply("old")
    ask = ASK % b"same"
    for _ in range(3):  # the same bytes: one parse, then remembered
        assert _exchange(first, ask + LAST % b"same").count(b"\r\n\r\nold") == 2
    through_second = opened(second.control, "burst", timeout="FOREVER")
    through_second.clear_presets()
    through_second.when("GET /items/same$").reply("new")
    assert _exchange(first, ask + LAST % b"same").count(b"\r\n\r\nnew") == 2
    assert len(client(second.control, "burst").requests()) == 8
