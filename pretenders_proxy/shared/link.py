"""The connection to the shared store's Redis: scripts loaded once and called by name, every
call of a round trip pipelined with the others made meanwhile (a run of appends to one session:
one call); Redis unreachable or refusing changes becomes StoreUnavailableError saying so."""

import asyncio
import itertools
import logging
import uuid
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

REPEATABLE = frozenset(
    ("open", "traffic", "pull", "append", "record_history", "clear", "clear_presets", "set_mode")
)
"""Scripts sent again when a connection fails after a round trip was sent: applying one twice
leaves what applying it once does (`append` by its token). Others (a `take`, an `advance`, a new
preset) may have been applied: their callers hear the store was unavailable."""

IN_FLIGHT = 2
"""Round trips under way at once, pipelined on one connection: Redis runs them in the order
they were sent, and while it runs one the next is packed and sent."""

type Call = tuple[str, str, tuple[Any, ...], asyncio.Future[Any]]
type Command = tuple[bytes, list[Call], bool]
"""One EVALSHA packed, the calls it answers, whether it is a run of appends (a reply each)."""


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
        self._lanes = 0  # round trips being made, each taking what was called meanwhile
        self._held: AbstractConnection | None = None
        self._generation = 0  # of the held connection: a reply is read from the one sent on
        self._sending = asyncio.Lock()
        self._turn: asyncio.Future[None] | None = None
        """Done once the replies of the last round trip sent are read (the next reads then)."""
        self._tokens = map(f"{uuid.uuid4().hex}:{{}}".format, itertools.count())
        """Each append call's token: Redis answers one sent again with its first reply."""

    async def load_scripts(self) -> None:
        for name, source in self.sources.items():
            self.shas[name] = await self.redis.script_load(source)

    async def close(self) -> None:
        if self._held is not None:
            await self.redis.connection_pool.release(self._held)
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
        queue = self._queue
        queue.append((script, name, args, future))
        if len(queue) == 1 and self._lanes < IN_FLIGHT:
            self._lanes += 1
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
                    await self._pipeline(self._commands(batch))
                except Exception as e:  # every caller hears of it: none waits for ever
                    self._fail(batch, e)
        finally:
            self._lanes -= 1

    def _fail(self, calls: Sequence[Call], e: Exception) -> None:
        error: Exception = e
        if isinstance(e, REDIS_ERRORS):
            self.down(e)
            error = StoreUnavailableError(self.unavailable())
        for *_, future in calls:
            if not future.done():
                future.set_exception(error)

    def _commands(self, batch: Sequence[Call]) -> list[Command]:
        """`batch` as EVALSHAs in order, each run of appends to one session (same stream and
        limits) one call: one script run in Redis instead of one per request."""
        prefix, shas = self.prefix, self.shas
        commands: list[Command] = []
        for _, run in itertools.groupby(batch, _run_key):
            calls = list(run)
            script, name, args, _ = calls[0]
            key = script_key(prefix, name)
            if script != "append":
                commands += [
                    (pack_command(("EVALSHA", shas[s], 1, key, n, *a)), [(s, n, a, f)], False)
                    for s, n, a, f in calls
                ]
                continue
            kind, _, _, most, most_bytes, _, _ = args
            items = [x for _, _, (_, item, w, _, _, by, pv), _ in calls for x in (item, w, by, pv)]
            head = ("EVALSHA", shas["append"], 1, key, name, kind, most, most_bytes)
            commands.append((pack_command((*head, next(self._tokens), *items)), calls, True))
        return commands

    def _settle(self, future: asyncio.Future[Any], reply: Any) -> None:
        if future.done():
            return
        if isinstance(reply, redis_errors.ResponseError) and _refusal(reply):
            self.down(reply)  # full, a read-only replica: for now
            future.set_exception(StoreUnavailableError(self.unavailable()))
        elif isinstance(reply, Exception):
            future.set_exception(reply)
        else:
            future.set_result(reply)

    def _answer(self, commands: Sequence[Command], replies: Sequence[Any]) -> None:
        for (_, calls, run), reply in zip(commands, replies, strict=True):
            if not run or isinstance(reply, Exception):
                for *_, future in calls:
                    self._settle(future, reply)
            else:
                for (*_, future), one in zip(calls, reply, strict=True):
                    self._settle(future, one)

    async def _pipeline(self, commands: list[Command]) -> None:
        """Send `commands`, answer their calls. Those Redis had no script for are sent again
        once it has them (it restarted); if the connection failed once they were sent, those
        REPEATABLE are sent again, the others failed (Redis may have applied them)."""
        failed = False
        for _ in range(4):
            try:
                replies = await self._round_trip(commands)
            except REDIS_ERRORS:
                if failed:
                    raise
                failed = True
                again = [c for c in commands if c[2] or c[1][0][0] in REPEATABLE]
                lost = [call for c in commands if not (c[2] or c[1][0][0] in REPEATABLE)
                        for call in c[1]]  # fmt: skip
                self._fail(lost, redis_errors.ConnectionError("the connection to it failed"))
                commands = again
                continue
            self.problem = None  # reached: a refusal below says it is down again
            forgot = [isinstance(r, redis_errors.NoScriptError) for r in replies]
            self._answer(
                [c for c, f in zip(commands, forgot, strict=True) if not f],
                [r for r, f in zip(replies, forgot, strict=True) if not f],
            )
            if not any(forgot):
                return
            await self.load_scripts()  # Redis restarted and forgot them
            calls = [call for c, f in zip(commands, forgot, strict=True) if f for call in c[1]]
            commands = self._commands(calls)
        self._fail([call for c in commands for call in c[1]], redis_errors.NoScriptError())

    async def _round_trip(self, commands: Sequence[Command]) -> list[Any]:
        """Every command sent in one write, each reply (or ResponseError) read back once those
        of the round trip sent before are. A redis-py pipeline costs about as much as the
        scripts' own work on the /mockhttp/ hot path (it packs each argument in Python): the
        commands are packed by hiredis in C, on one connection of redis-py's pool."""
        if not commands:
            return []
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        try:
            async with self._sending:  # sent in the order the replies are read
                connection, generation = await self._connection()
                turn, self._turn = self._turn, mine
                packed = b"".join(c[0] for c in commands)
                await connection.send_packed_command(packed, check_health=False)
            if turn is not None:
                await turn
            if generation != self._generation or not connection.is_connected:
                raise redis_errors.ConnectionError("the connection failed before its replies")
            return await _replies(connection, len(commands))
        finally:
            if not mine.done():
                mine.set_result(None)

    async def _connection(self) -> tuple[AbstractConnection, int]:
        """The held connection, connected again if it failed (or, idle, was closed by Redis)."""
        held = self._held
        if held is None:
            held = await self.redis.connection_pool.get_connection()  # type: ignore[no-untyped-call]
            self._held, self._generation = held, self._generation + 1
        idle = self._turn is None or self._turn.done()
        try:
            if held.is_connected and idle and await held.can_read():
                raise redis_errors.ConnectionError("the connection has data nobody asked for")
        except REDIS_ERRORS:
            await held.disconnect(nowait=True)
        if not held.is_connected:
            await held.connect()
            self._generation += 1
        return held, self._generation

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


async def _replies(connection: AbstractConnection, count: int) -> list[Any]:
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


def _run_key(call: Call) -> tuple[Any, ...]:
    """Calls with equal keys side by side go in one command: appends to one stream of one
    session with the same limits; every other call is its own."""
    script, name, args, future = call
    if script != "append":
        return (script, name, future)
    return (script, name, args[0], args[3], args[4])


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
