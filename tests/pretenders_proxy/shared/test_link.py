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
