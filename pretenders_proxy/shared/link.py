"""The connection to the shared store's Redis: scripts loaded once and called by name, every
call of a round trip pipelined with the others made meanwhile (a run of appends, or of
advances, on one session: one call), the replies parsed as they arrive and each handed to its
caller at once; Redis unreachable or refusing changes becomes StoreUnavailableError saying so."""

import asyncio
import itertools
import logging
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol, cast

import hiredis
import redis.asyncio as aioredis
from hiredis import pack_command
from redis import exceptions as redis_errors
from redis._parsers.base import BaseParser
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

type Then = Callable[[Any, Exception | None], None]
"""Called with a call's reply (or the error that failed it) as soon as it is parsed."""


class Settles(Protocol):
    """Where a call's reply goes: a future, or a Callback."""

    def done(self) -> bool: ...
    def set_result(self, result: Any, /) -> None: ...
    def set_exception(self, exception: BaseException, /) -> None: ...


type Call = tuple[str, str, tuple[Any, ...], Settles]
type Command = tuple[bytes, list[Call], bool]
"""One EVALSHA packed, the calls it answers, whether it is a run (a reply each)."""


class Link:
    """Redis at `url`, for the fleet `prefix`: `call` a script on a session, `fleet` any other
    command; `problem` says what is wrong while it is."""

    reply_seconds = 10.0
    """How long Redis may take to reply before the held connection is given up."""

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
        self._wire: Wire | None = None
        self._connecting = asyncio.Lock()
        self._tokens = map(f"{uuid.uuid4().hex}:{{}}".format, itertools.count())
        """Each append call's token: Redis answers one sent again with its first reply."""

    async def load_scripts(self) -> None:
        for name, source in self.sources.items():
            self.shas[name] = await self.redis.script_load(source)

    async def close(self) -> None:
        if self._held is not None:
            await self._held.disconnect(nowait=True)
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
        self._queued((script, name, args, future))
        return future

    def call_then(self, then: Then, script: str, name: str, *args: object) -> None:
        """As `call`, with `then(reply, None)` (or `then(None, error)`) called the moment the
        reply is parsed: no future, no turn of the loop before the caller goes on."""
        self._queued((script, name, args, Callback(then)))

    def _queued(self, call: Call) -> None:
        """`call` goes in the next round trip; one is begun once this turn of the loop's calls
        are in (never within `call`: a reply is never handed on before `call` returned)."""
        queue = self._queue
        queue.append(call)
        if len(queue) == 1 and self._lanes < IN_FLIGHT:
            self._lanes += 1
            asyncio.get_running_loop().call_soon(self._begin)

    def _begin(self) -> None:
        spawn(self._flush(), name="pretenders.store.flush")

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
        limits), and each run of advances on one copy of a session, one call: one script run
        in Redis instead of one per request."""
        prefix, shas = self.prefix, self.shas
        commands: list[Command] = []
        run: list[Call] = []
        for call in batch:
            script, name, args, _ = call
            if run:
                if _joins(run[0], call):
                    run.append(call)
                    continue
                commands.append(self._run(run))
                run = []
            if script in _RUNS:
                run = [call]
            else:
                head = ("EVALSHA", shas[script], 1, script_key(prefix, name), name)
                commands.append((pack_command((*head, *args)), [call], False))
        if run:
            commands.append(self._run(run))
        return commands

    def _run(self, run: Sequence[Call]) -> Command:
        """A run of calls as one EVALSHA: what they share once, then each one's item."""
        script, name, args, _ = run[0]
        key = script_key(self.prefix, name)
        items: list[object] = []
        if script == "append":
            kind, _, _, most, most_bytes, _, _, _, _ = args
            named: dict[str, bytes] = {}  # each reply the run's items name, defined once
            for _, _, (_, item, weight, _, _, served, versions, cursor, reply), _ in run:
                digest = ""
                if reply is not None:
                    digest = reply[0]
                    named[digest] = reply[1]
                items += (item, weight, served, versions, cursor, digest)
            defined = (len(named), *(part for reply in named.items() for part in reply))
            token = next(self._tokens)
            head: tuple[Any, ...] = (
                self.shas[script], 1, key, name, kind, most, most_bytes, token, *defined
            )  # fmt: skip
        else:  # advance: the match keys
            items = [each[2][0] for each in run]
            head = (self.shas[script], 1, key, name, *args[1:])
        return pack_command(("EVALSHA", *head, *items)), list(run), True

    def _settle(self, future: Settles, reply: Any) -> None:
        if future.done():
            return
        if not isinstance(reply, Exception):
            future.set_result(reply)
        elif isinstance(reply, redis_errors.ResponseError) and _refusal(reply):
            self.down(reply)  # full, a read-only replica: for now
            future.set_exception(StoreUnavailableError(self.unavailable()))
        else:
            future.set_exception(reply)

    def _answer(self, commands: Sequence[Command], replies: Sequence[Any]) -> None:
        settle = self._settle
        for (_, calls, run), reply in zip(commands, replies, strict=True):
            if run and not isinstance(reply, Exception):  # a reply for each of the run
                for call, one in zip(calls, reply, strict=True):
                    settle(call[3], one)
            else:
                for call in calls:
                    settle(call[3], reply)

    async def _pipeline(self, commands: list[Command]) -> None:
        """Send `commands`, answer their calls (as their replies are parsed). Those Redis had
        no script for are sent again once it has them (it restarted); if the connection failed
        once they were sent, those REPEATABLE are sent again, the others failed (Redis may
        have applied them)."""
        failed = False
        for _ in range(4):
            try:
                forgot = await self._round_trip(commands)
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
            if not forgot:
                return
            await self.load_scripts()  # Redis restarted and forgot them
            commands = self._commands([call for c in forgot for call in c[1]])
        self._fail([call for c in commands for call in c[1]], redis_errors.NoScriptError())

    def _answered(self, commands: Sequence[Command], replies: Sequence[Any]) -> list[Command]:
        """Answer each command's calls from its reply as soon as the round trip's are parsed;
        those whose script Redis did not have (it restarted) are left, to be sent again."""
        self.problem = None  # reached: a refusal below says it is down again
        forgot = [isinstance(r, redis_errors.NoScriptError) for r in replies]
        if not any(forgot):
            self._answer(commands, replies)
            return []
        self._answer(
            [c for c, f in zip(commands, forgot, strict=True) if not f],
            [r for r, f in zip(replies, forgot, strict=True) if not f],
        )
        return [c for c, f in zip(commands, forgot, strict=True) if f]

    async def _round_trip(self, commands: Sequence[Command]) -> list[Command]:
        """Every command sent in one write on the held connection, its calls answered as its
        replies are parsed (in the order the round trips were sent); the commands Redis had no
        script for. A redis-py pipeline costs about as much as the scripts' own work on the
        /mockhttp/ hot path (it packs each argument in Python, reads each reply in a task):
        the commands are packed by hiredis in C and the replies parsed as they arrive."""
        if not commands:
            return []
        wire = self._wire
        if wire is None or wire.lost is not None:
            wire = await self._connect()
        if wire.writable is not None:  # Redis reads slower than we send: wait for it
            await asyncio.shield(wire.writable)
        packed = b"".join(c[0] for c in commands)
        return await wire.send(
            packed, len(commands), lambda replies: self._answered(commands, replies)
        )

    async def _connect(self) -> "Wire":
        """The held connection, opened again by redis-py (TLS, AUTH, SELECT as the URL says)
        once the last was lost."""
        async with self._connecting:
            wire = self._wire
            if wire is not None and wire.lost is None:
                return wire
            if self._held is not None:
                await self._held.disconnect(nowait=True)
            self._held = held = self.redis.connection_pool.make_connection()  # type: ignore[no-untyped-call]
            try:
                async with asyncio.timeout(self.reply_seconds):  # its handshake awaits replies
                    await held.connect()
            except TimeoutError:
                raise redis_errors.TimeoutError(f"no reply in {self.reply_seconds:g} s") from None
            self._wire = wire = Wire(held, self.reply_seconds)
            return wire

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


class Callback:
    """A call's reply handed to a function at once (Link.call_then); what it raises is
    logged, as asyncio logs a callback's error: the connection it was read from goes on."""

    __slots__ = ("_done", "_then")

    def __init__(self, then: Then) -> None:
        self._then, self._done = then, False

    def done(self) -> bool:
        return self._done

    def set_result(self, result: Any, /) -> None:
        self._call(result, None)

    def set_exception(self, exception: BaseException, /) -> None:
        assert isinstance(exception, Exception)
        self._call(None, exception)

    def _call(self, result: Any, error: Exception | None) -> None:
        self._done = True
        try:
            self._then(result, error)
        except Exception:
            logger.exception("a reply from the shared store could not be handed on")


_MORE = object()
"""What the reply parser gives while a reply is not whole yet."""


type Answer = Callable[[list[Any]], list[Command]]
"""Answers a round trip's calls from its replies; gives back the commands to send again."""


class Round:
    """A round trip sent: how many replies it waits for, what answers them."""

    __slots__ = ("answer", "count", "future", "replies", "sent")

    def __init__(self, count: int, answer: Answer, future: asyncio.Future[Any], sent: float):
        self.count, self.answer, self.future, self.sent = count, answer, future, sent
        self.replies: list[Any] = []


class Wire(asyncio.Protocol):
    """The held connection once redis-py opened it (TLS, AUTH, SELECT as the URL says): each
    round trip goes in one write, and its replies are parsed (hiredis) as they arrive and
    answered at once, in the order the round trips were sent, with no task reading."""

    def __init__(self, connection: AbstractConnection, reply_seconds: float) -> None:
        self.reply_seconds = reply_seconds
        writer = connection._writer  # redis-py connected it: it is ours now
        assert writer is not None
        self.transport = cast(asyncio.Transport, writer.transport)
        self.loop = asyncio.get_running_loop()
        self.reader = hiredis.Reader(
            protocolError=redis_errors.InvalidResponse,
            replyError=BaseParser.parse_error,  # the exceptions redis-py's replies raise
            notEnoughData=_MORE,
        )
        self.waiting: deque[Round] = deque()
        self.lost: Exception | None = None
        self.writable: asyncio.Future[None] | None = None
        """While the transport's buffer is full: done once it drained."""
        self._watch: asyncio.TimerHandle | None = None
        self.transport.set_protocol(self)

    def send(self, packed: bytes, count: int, answer: Answer) -> asyncio.Future[list[Command]]:
        """`packed` (`count` commands) sent; `answer` called with their replies once all are
        in. The future gives what `answer` gave, or the error that lost the connection."""
        future: asyncio.Future[list[Command]] = self.loop.create_future()
        if self.lost is not None:
            future.set_exception(self.lost)
            return future
        self.waiting.append(Round(count, answer, future, self.loop.time()))
        self.transport.write(packed)
        if self._watch is None:
            self._watch = self.loop.call_later(self.reply_seconds / 4, self._check)
        return future

    def data_received(self, data: bytes) -> None:
        reader, waiting = self.reader, self.waiting
        reader.feed(data)
        try:
            while (reply := reader.gets()) is not _MORE:
                if not waiting:
                    raise redis_errors.ConnectionError("Redis sent a reply nobody asked for")
                head = waiting[0]
                head.replies.append(reply)
                if len(head.replies) == head.count:
                    waiting.popleft()
                    self._answer(head)
        except (redis_errors.ConnectionError, redis_errors.InvalidResponse) as e:
            self._drop(redis_errors.ConnectionError(str(e)))

    def _answer(self, round_: Round) -> None:
        future = round_.future
        try:
            again = round_.answer(round_.replies)
        except Exception as e:  # every caller hears of it (the flush fails them)
            if not future.done():
                future.set_exception(e)
            return
        if not future.done():  # done: its sender stopped (the loop closing)
            future.set_result(again)

    def connection_lost(self, exc: Exception | None) -> None:
        self._drop(redis_errors.ConnectionError(f"the connection to it failed: {exc or 'closed'}"))

    def pause_writing(self) -> None:
        self.writable = self.loop.create_future()

    def resume_writing(self) -> None:
        writable, self.writable = self.writable, None
        if writable is not None and not writable.done():
            writable.set_result(None)

    def _check(self) -> None:
        self._watch = None
        if not self.waiting:
            return
        if self.loop.time() - self.waiting[0].sent > self.reply_seconds:
            return self._drop(redis_errors.TimeoutError(f"no reply in {self.reply_seconds:g} s"))
        self._watch = self.loop.call_later(self.reply_seconds / 4, self._check)

    def _drop(self, error: Exception) -> None:
        if self.lost is None:
            self.lost = error
        self.transport.abort()
        waiting, self.waiting = self.waiting, deque()
        for round_ in waiting:
            if not round_.future.done():
                round_.future.set_exception(error)
        self.resume_writing()


_RUNS = {"append": (0, 3, 4), "advance": (1, 2)}
"""Scripts whose calls go in one command while they follow each other with the same session
and the same arguments at these places (stream and limits; versions); a reply each."""


def _joins(first: Call, call: Call) -> bool:
    """Whether `call` goes in the command of the run `first` began."""
    script, name, args, _ = first
    if call[0] != script or call[1] != name:
        return False
    more = call[2]
    return all(args[i] == more[i] for i in _RUNS[script])


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
