"""The link to Redis: scripts called by name in pipelined batches, failures said by name."""

import asyncio
import os
import signal

import pytest
from redis.exceptions import ResponseError

from pretenders_proxy.errors import ConfigError, StoreUnavailableError
from pretenders_proxy.shared.link import Link, redacted
from tests.integration.redis_server import RedisServer


async def test_calls_made_meanwhile_go_in_one_round_trip_each_with_its_reply(
    redis_server: RedisServer,
) -> None:
    link = Link(redis_server.url, "l")
    await link.load_scripts()
    try:
        opened = await asyncio.gather(
            *(link.call("open", f"s{n}", "http", "", 100, "1", "0") for n in range(20))
        )
        assert opened == [1] * 20
        assert await link.run("open", "s1", "http", "", 100, "1", "0") == 0  # there already
        await link.redis.script_flush()  # as a restarted Redis: the scripts are loaded again
        assert await link.run("open", "s2", "http", "", 100, "1", "0") == 0
    finally:
        await link.close()


async def test_an_error_reply_is_its_calls_alone_and_the_link_goes_on(
    redis_server: RedisServer,
) -> None:
    link = Link(redis_server.url, "l")
    await link.load_scripts()
    try:
        calls = [link.call("open", f"s{n}", "http", "", 100, "1", "0") for n in range(5)]
        calls[2:2] = [link.call("open", "bad", "http", "", "not a number", "1", "0")]
        found = await asyncio.gather(*calls, return_exceptions=True)
        assert found[:2] == [1, 1] and found[3:] == [1, 1, 1]
        assert isinstance(found[2], ResponseError)
        assert link.health()["state"] == "up"
        assert await link.run("open", "s4", "http", "", 100, "1", "0") == 0  # in order after it
    finally:
        await link.close()


async def test_an_unreachable_redis_is_said_by_name_without_its_password(
    redis_server: RedisServer,
) -> None:
    link = Link(redis_server.url, "l")
    await link.load_scripts()
    redis_server.stop()
    try:
        with pytest.raises(StoreUnavailableError, match=r"is unreachable.*ConnectionError"):
            await link.run("open", "s", "http", "", 100, "1", "0")
        assert link.health()["state"] == "down"
    finally:
        await link.close()
    guarded = Link("redis://me:secret@127.0.0.1:1/0", "l")
    try:
        with pytest.raises(StoreUnavailableError, match=r"redis://me:\*\*\*@127.0.0.1:1/0"):
            await guarded.fleet(guarded.redis.ping())
        assert "secret" not in str(guarded.health())
    finally:
        await guarded.close()
    assert redacted("rediss://:secret@host") == "rediss://***@host"
    with pytest.raises(ConfigError, match="--store"):
        Link("redis://host:notaport", "l")


async def test_round_trips_in_flight_together_run_in_the_order_their_calls_were_made(
    redis_server: RedisServer,
) -> None:
    """Calls made one loop turn after another go in several round trips, two under way at once
    on one connection: Redis still runs them in the order they were made, and each run of
    appends is one call with each item's reply its caller's."""
    link = Link(redis_server.url, "l")
    await link.load_scripts()
    try:
        await link.run("open", "s", "http", "", 100, "1", "0")
        made: list[asyncio.Future[object]] = []
        for n in range(300):
            if n % 3 == 2:
                made.append(link.call("advance", "s", "k", "", ""))
            else:
                item = b"%d" % n
                args = ("history", item, 1, 10_000, 1 << 30, "", "", "", None)
                made.append(link.call("append", "s", *args))
            if n % 7 == 0:
                await asyncio.sleep(0)  # the next calls go in another round trip
        found = await asyncio.gather(*made)
        assert found[2::3] == list(range(1, 101))  # the cursor, counted in order
        ids = [f for n, f in enumerate(found) if n % 3 != 2]
        assert ids == list(range(1, 201))  # ids handed out in the order of the calls
        kept = await link.redis.xrange("{l}:s:s:history")
        assert [int(fields[b"d"]) for _, fields in kept] == [n for n in range(300) if n % 3 != 2]
    finally:
        await link.close()


async def test_a_redis_that_stops_replying_is_given_up_by_name_and_found_again(
    redis_server: RedisServer,
) -> None:
    """Redis frozen (SIGSTOP) with calls sent: they fail once it has not replied for the link's
    reply time, saying so; thawed, the next call is answered on a new connection."""
    link = Link(redis_server.url, "l")
    link.reply_seconds = 0.5
    await link.load_scripts()
    assert redis_server.process is not None
    pid = redis_server.process.pid
    try:
        await link.run("open", "s", "http", "", 100, "1", "0")
        os.kill(pid, signal.SIGSTOP)
        try:
            with pytest.raises(StoreUnavailableError, match=r"unreachable.*no reply in 0.5 s"):
                await asyncio.wait_for(link.run("open", "t", "http", "", 100, "1", "0"), 10)
            assert link.health()["state"] == "down"
        finally:
            os.kill(pid, signal.SIGCONT)
        assert await link.run("open", "s", "http", "", 100, "1", "0") == 0
        assert link.health()["state"] == "up"
    finally:
        await link.close()


async def test_a_connection_redis_closed_while_idle_is_opened_again_for_the_next_call(
    redis_server: RedisServer,
) -> None:
    link = Link(redis_server.url, "l")
    await link.load_scripts()
    try:
        assert await link.run("open", "s", "http", "", 100, "1", "0") == 1
        await link.redis.client_kill_filter(skipme=True, _type="normal")  # the held one too
        await asyncio.sleep(0.1)
        again = link.run("open", "s", "http", "", 100, "1", "0")
        assert await asyncio.wait_for(again, 5) == 0  # not after its reply time: at once
        assert link.health()["state"] == "up"
    finally:
        await link.close()


async def test_round_trips_bigger_than_the_socket_takes_at_once_are_all_answered_in_order(
    redis_server: RedisServer,
) -> None:
    """12 MB of appends in one round trip fills the connection's buffer: the round trips made
    while it drains wait for it, and every call is answered, in order."""
    link = Link(redis_server.url, "l")
    await link.load_scripts()
    try:
        await link.run("open", "s", "http", "", 100, "1", "0")
        big = b"x" * 65_536
        made = [
            link.call("append", "s", "history", big, 1, 10_000, 1 << 30, "", "", "", None)
            for _ in range(200)
        ]
        await asyncio.sleep(0)  # the next calls go in round trips of their own
        made += [link.call("advance", "s", "k", "", "") for _ in range(3)]
        found = await asyncio.gather(*made)
        assert found == [*range(1, 201), 1, 2, 3]
    finally:
        await link.close()


async def test_a_reply_handed_on_at_once_goes_to_its_function_and_its_error_is_only_logged(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    """`call_then`: the function hears the reply (or what failed the call), never before the
    call returned; one that raises is logged and the link goes on."""
    link = Link(redis_server.url, "l")
    await link.load_scripts()
    heard: list[tuple[object, Exception | None]] = []

    def then(reply: object, error: Exception | None) -> None:
        heard.append((reply, error))

    def broken(reply: object, error: Exception | None) -> None:
        raise RuntimeError("a caller's bug")

    try:
        link.call_then(broken, "open", "s", "http", "", 100, "1", "0")
        link.call_then(then, "open", "s", "http", "", 100, "1", "0")
        assert heard == []
        assert await link.run("open", "s", "http", "", 100, "1", "0") == 0
        assert heard == [(0, None)]  # the second open found the session the first made
        assert "could not be handed on" in caplog.text and "a caller's bug" in caplog.text
        redis_server.stop()
        link.call_then(then, "open", "t", "http", "", 100, "1", "0")
        for _ in range(100):
            if len(heard) == 2:
                break
            await asyncio.sleep(0.05)
        assert heard[1][0] is None and isinstance(heard[1][1], StoreUnavailableError)
    finally:
        await link.close()


async def test_advances_made_at_once_go_in_one_call_each_with_its_count(
    redis_server: RedisServer,
) -> None:
    """A run of advances on one session (same versions) is one script call: each gets the
    count of its own key, in the order made; a run on versions the session no longer has, or
    on a session that is gone, advances nothing."""
    link = Link(redis_server.url, "l")
    await link.load_scripts()

    async def evals() -> int:
        found = await link.redis.info("commandstats")
        return int(found["cmdstat_evalsha"]["calls"])

    try:
        await link.run("open", "s", "http", "", 100, "1", "0")
        before = await evals()
        made = [link.call("advance", "s", key, "", "") for key in ("a", "b", "a", "a", "b")]
        assert await asyncio.gather(*made) == [1, 1, 2, 3, 2]
        assert await evals() == before + 1
        stale = [link.call("advance", "s", "a", "7", "7") for _ in range(3)]
        assert await asyncio.gather(*stale) == [-2, -2, -2]
        gone = [link.call("advance", "nobody", "a", "0", "0") for _ in range(2)]
        assert await asyncio.gather(*gone) == [-1, -1]
        assert await link.run("advance", "s", "a", "", "") == 4
    finally:
        await link.close()
