"""The link to Redis: scripts called by name in pipelined batches, failures said by name."""

import asyncio

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
                made.append(link.call("append", "s", "history", item, 1, 10_000, 1 << 30, "", ""))
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
