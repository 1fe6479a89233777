"""The connection to the shared store's Redis: scripts loaded once and called by name, every
call of a round trip pipelined with the others made meanwhile; Redis unreachable or refusing
changes becomes StoreUnavailableError saying so, for every caller."""

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from typing import Any

import redis.asyncio as aioredis
from hiredis import pack_command
from redis import exceptions as redis_errors
from redis.asyncio.connection import AbstractConnection

from pretenders_proxy.errors import ConfigError, StoreUnavailableError
from pretenders_proxy.server.tasks import spawn
from pretenders_proxy.shared.scripts import script_key, sources

logger = logging.getLogger(__name__)

REDIS_ERRORS = (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError)
REFUSALS = (
    redis_errors.OutOfMemoryError,
    redis_errors.ReadOnlyError,
    redis_errors.TryAgainError,
    redis_errors.MasterDownError,
)
"""Error replies of a Redis that cannot take a change now (full, a replica, going over)."""

type Call = tuple[str, str, tuple[Any, ...], asyncio.Future[Any]]


class Link:
    """Redis at `url`, for the fleet `prefix`: `call` a script on a session, `fleet` any other
    command; `problem` says what is wrong while it is."""

    def __init__(self, url: str, prefix: str) -> None:
        self.url, self.prefix = url, prefix
        try:
            self.redis = aioredis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10)
            self.follower = aioredis.Redis.from_url(url, socket_connect_timeout=2)
            """Its own connection for blocking reads."""
        except ValueError as e:
            raise ConfigError(f"--store {redacted(url)}: {e}") from None
        self.sources = sources()
        self.shas: dict[str, str] = {}
        self.problem: str | None = None
        self.condition = "up"
        self._queue: list[Call] = []
        self._flushing = False

    async def load_scripts(self) -> None:
        for name, source in self.sources.items():
            self.shas[name] = await self.redis.script_load(source)

    async def close(self) -> None:
        await self.redis.aclose()
        await self.follower.aclose()

    def health(self) -> dict[str, Any]:
        state = "up" if self.problem is None else "down"
        found = {"kind": "redis", "url": redacted(self.url), "prefix": self.prefix}
        return found | {"state": state} | ({"problem": self.problem} if self.problem else {})

    def call(self, script: str, name: str, *args: object) -> asyncio.Future[Any]:
        """Run `script` on session `name` in the next round trip; its reply, or
        StoreUnavailableError when Redis cannot be reached or take it."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append((script, name, args, future))
        if not self._flushing:
            self._flushing = True
            spawn(self._flush(), name="pretenders.store.flush")
        return future

    async def run(self, script: str, name: str, *args: object) -> Any:
        return await self.call(script, name, *args)

    async def fleet[T](self, command: Awaitable[T]) -> T:
        """The reply of a plain command; StoreUnavailableError as `call` says."""
        try:
            return await command
        except REDIS_ERRORS as e:
            self.down(e)
            raise StoreUnavailableError(self.unavailable()) from None

    async def _flush(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                try:
                    replies = await self._pipeline(batch)
                except Exception as e:  # every caller hears of it: none waits for ever
                    error: Exception = e
                    if isinstance(e, REDIS_ERRORS):
                        self.down(e)
                        error = StoreUnavailableError(self.unavailable())
                    for *_, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
                self.problem = None
                for (*_, future), reply in zip(batch, replies, strict=True):
                    if not future.done():
                        self._settle(future, reply)
        finally:
            self._flushing = False

    def _settle(self, future: asyncio.Future[Any], reply: Any) -> None:
        if isinstance(reply, redis_errors.ResponseError) and _refusal(reply):
            self.down(reply)  # full, a read-only replica: for now
            future.set_exception(StoreUnavailableError(self.unavailable()))
        elif isinstance(reply, Exception):
            future.set_exception(reply)
        else:
            future.set_result(reply)

    async def _pipeline(self, batch: Sequence[Call]) -> list[Any]:
        for attempt in range(2):
            replies = await self._round_trip(batch)
            if attempt or not any(isinstance(r, redis_errors.NoScriptError) for r in replies):
                return replies
            await self.load_scripts()  # Redis restarted and forgot them
        raise AssertionError("unreachable")

    async def _round_trip(self, batch: Sequence[Call]) -> list[Any]:
        """Every call of `batch` sent in one write, each reply (or ResponseError) read back.
        A redis-py pipeline costs about as much as the scripts' own work on the /mockhttp/ hot
        path (it packs each argument in Python): the commands are packed by hiredis in C, and
        sent on a pooled connection retried as redis-py retries its own commands."""
        prefix, shas = self.prefix, self.shas
        packed = b"".join(
            pack_command(("EVALSHA", shas[script], 1, script_key(prefix, name), name, *args))
            for script, name, args, _ in batch
        )
        pool = self.redis.connection_pool
        connection = await pool.get_connection()  # type: ignore[no-untyped-call]
        try:
            return await connection.retry.call_with_retry(  # type: ignore[no-any-return]
                lambda: _exchange(connection, packed, len(batch)),
                lambda _: connection.disconnect(),
            )
        finally:
            await pool.release(connection)

    def down(self, error: BaseException) -> None:
        self.condition = "refusing changes" if isinstance(error, REFUSALS) else "unreachable"
        if self.problem is None:
            logger.error("the shared store %s is %s: %s", redacted(self.url), self.condition, error)
        self.problem = f"{type(error).__name__}: {error}"

    def unavailable(self) -> str:
        return (
            f"the shared store ({redacted(self.url)}) is {self.condition} ({self.problem}); "
            "pretenders answers again by itself once it is back"
        )


async def _exchange(connection: AbstractConnection, packed: bytes, count: int) -> list[Any]:
    await connection.send_packed_command(packed, check_health=False)
    replies: list[Any] = []
    try:
        for _ in range(count):
            try:
                replies.append(await connection.read_response())
            except redis_errors.ResponseError as e:  # that call's error: the others stand
                replies.append(e)
    except BaseException:  # the rest of the replies are still on the socket: drop it
        await connection.disconnect(nowait=True)
        raise
    return replies


def _refusal(error: redis_errors.ResponseError) -> bool:
    return isinstance(error, REFUSALS) or str(error).startswith(("BUSY", "NOREPLICAS"))


def redacted(url: str) -> str:
    """`url` without its password."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at:
        return url
    user = credentials.partition(":")[0]
    return f"{scheme}{sep}{user}:***@{host}" if user else f"{scheme}{sep}***@{host}"
