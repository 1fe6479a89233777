"""The /mockhttp/ fast lane: a control connection's requests read, decided and answered without
aiohttp while each is a preset's canned reply; from the first byte of any other request on, the
connection is aiohttp's (serve.Connection), the decision made already going with it."""

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

import httptools

from pretenders_proxy.api import mocks
from pretenders_proxy.api.gate import Gate as HostGate
from pretenders_proxy.api.heads import Call, Heads, framing
from pretenders_proxy.api.mocks import Decided
from pretenders_proxy.api.serve import Connection
from pretenders_proxy.model.http import Request
from pretenders_proxy.server.gate import Gate
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.store.answering import MockOutcome
from pretenders_proxy.store.state import State

MAX_HEAD = 8190
"""A longer head (or a partial one) goes to aiohttp, which answers one over its limits 431."""
MAX_BODY = 64 << 10
"""Bigger bodies go to aiohttp, which reads them as they come (and refuses past
--max-body-size)."""

_END = b"\r\n\r\n"
_MOCKS = b"/mockhttp/"
_BODILESS = frozenset((b"HEAD", b"CONNECT"))

HELD = Decided()
"""A request being decided (a shared store's round trip): reading waits for it."""


class Lane:
    """What every fast-lane connection of one control port shares; `open`: those not handed
    over (closed by the server's cleanup)."""

    def __init__(self, runtime: Runtime) -> None:
        settings = runtime.settings
        self.runtime = runtime
        self.hosts = HostGate.of(settings)
        self.body_cap = min(MAX_BODY, settings.max_body_size)
        self.open: set[FastConnection] = set()
        self.heads: Heads[Call] = Heads()

    def connection(
        self, handler: Callable[[], Connection], gate: Gate, idle: float
    ) -> "FastConnection":
        return FastConnection(self, handler, gate, idle)

    def close(self) -> None:
        for connection in list(self.open):
            connection.close()


HELD_BYTES = 1 << 16
"""What a connection may send ahead while its request is decided before reading pauses."""


class FastConnection(asyncio.Protocol):
    """One connection on the fast lane. Requests are answered in order, one at a time: while
    one is decided (a shared store's round trip) what comes is kept, and reading pauses once
    that is over HELD_BYTES or while the client does not read what it was sent (the transport
    over its high-water mark). Pausing per request would cost two epoll calls each."""

    def __init__(
        self, lane: Lane, handler: Callable[[], Connection], gate: Gate, idle: float
    ) -> None:
        self._lane, self._handler, self._gate, self._idle = lane, handler, gate, idle
        self._transport: asyncio.Transport | None = None
        self._loop = asyncio.get_running_loop()
        self._buffer = b""  # bytes read while held
        self._busy: tuple[bytes, str] | None = None  # the request being decided, its method
        self._begun: tuple[MockOutcome, str, Request, float] | None = None
        """The answer of the request being decided, while its history entry is written."""
        self._writing_paused = self._reading_paused = False
        self._last = 0.0  # when the last answer went, or the connection came
        self._timer: asyncio.TimerHandle | None = None
        self._parser = httptools.HttpRequestParser(self)
        self._url = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._complete = self._kept = False

    # httptools' callbacks, while a head or a body is fed to it
    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value.rstrip(b" \t")))  # as aiohttp keeps them

    def on_headers_complete(self) -> None:
        # llhttp's flags say it here; by the message's end they are reset for the next one
        parser = self._parser
        self._kept = parser.get_http_version() == "1.1" and parser.should_keep_alive()

    def on_message_complete(self) -> None:
        self._complete = True

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._lane.open.add(self)
        self._last = self._loop.time()
        self._timer = self._loop.call_at(self._last + self._idle, self._check_idle)

    def connection_lost(self, exc: BaseException | None) -> None:
        if self._transport is not None:  # not handed over: this connection counted here
            self._gone()
            self._gate.leave()

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def data_received(self, data: bytes) -> None:
        if self._buffer:
            data, self._buffer = self._buffer + data, b""
        self._serve(data)

    def pause_writing(self) -> None:
        self._writing_paused = True
        self._hold()

    def resume_writing(self) -> None:
        self._writing_paused = False
        self._hold()
        if self._buffer:
            self.data_received(b"")

    def _serve(self, data: bytes) -> None:
        """Answer the requests `data` begins with, in order, until one is held or handed over."""
        start, size = 0, len(data)
        while start < size:
            if self._busy is not None or self._writing_paused or self._transport is None:
                self._buffer = data[start:]
                return self._hold()
            head = data.find(_END, start, start + MAX_HEAD)
            found = self._take(data, start, head + 4) if head >= 0 else None
            if found is None:
                return self._hand_over(data[start:])
            (method, name, seen, length), memo = found
            end = start + length
            decided = self._answer(data[start:end], method, name, seen, memo)
            if decided is HELD:
                self._buffer = data[end:]
                return self._hold()
            if decided is not None:
                return self._hand_over(data[start:], decided)
            start = end

    def _take(self, data: bytes, start: int, body: int) -> tuple[Call, bool] | None:
        """`_parse`, once per distinct bodiless head (Lane.heads); and whether the Request is
        the head cache's, one object for every request of those bytes."""
        heads, head = self._lane.heads, data[start:body]
        found = heads.get(head)
        if found is not None:
            return found, True
        found = self._parse(data, start, body)
        return None if found is None else (found, heads.keep(head, found, found[3]))

    def _parse(self, data: bytes, start: int, body: int) -> Call | None:
        """The request at data[start:] (its head ends at `body`) if the fast lane may take it."""
        self._url, self._headers, self._complete, self._kept = b"", [], False, False
        parser = self._parser
        try:
            parser.feed_data(data[start:body])
        except (httptools.HttpParserError, httptools.HttpParserUpgrade):
            return None
        if not self._kept:
            return None
        method, url = parser.get_method(), self._url
        if method in _BODILESS or not url.startswith(_MOCKS) or url[10:11] in (b"", b"/"):
            return None
        found = framing(self._headers)
        if found is None or not url.isascii() or found[1] > self._lane.body_cap:
            return None
        host, length = found
        if self._lane.hosts.host_refusal(host) is not None or body + length > len(data):
            return None
        if length:
            try:
                parser.feed_data(data[body : body + length])
            except httptools.HttpParserError:
                return None
        if not self._complete:
            return None
        text = method.decode()
        name, seen = mocks.call(
            text, url.decode(), tuple(self._headers), data[body : body + length], host, "HTTP/1.1"
        )
        return text, name, seen, body + length - start

    def _answer(
        self, request: bytes, method: str, name: str, seen: Request, memo: bool
    ) -> Decided | None:
        """Decide `request` and answer it: None when answered, HELD while a shared store
        decides, else the decision aiohttp answers it from (`memo`: State.mock_now's)."""
        started = time.perf_counter()
        runtime = self._lane.runtime
        state, settings = runtime.state, runtime.settings
        miss, budget = settings.miss_status, settings.regex_timeout
        if type(state).mock is not State.mock:  # a shared store: its round trip is awaited
            self._busy = (request, method)
            begun = state.mock_begun(name, seen, miss, budget, started, memo, self._written)
            if begun is None:
                self._await(state.mock(name, seen, miss, budget, started))
            else:  # no task: the entry's write answers (a batch's answers this connection's)
                self._begun = (begun, name, seen, started)
            return HELD
        try:
            outcome = state.mock_now(name, seen, miss, budget, started, memo)
        except Exception as e:
            return Decided(error=e)
        return self._reply(method, outcome)

    def _await(self, decision: "Coroutine[Any, Any, MockOutcome | None]") -> None:
        task = self._loop.create_task(decision)
        task.add_done_callback(self._decided)

    def _written(self, kept: int | None, error: Exception | None) -> None:
        """The history entry of the answer begun is in Redis (or not: the copy was out of date,
        decided again with a round trip first), said the moment its reply is read."""
        assert self._begun is not None
        (outcome, name, seen, started), self._begun = self._begun, None
        if error is None and kept is not None and kept < 0:
            runtime = self._lane.runtime
            settings = runtime.settings
            miss, budget = settings.miss_status, settings.regex_timeout
            return self._await(runtime.state.mock(name, seen, miss, budget, started))
        self._carry_on(outcome, error)

    def _decided(self, task: "asyncio.Future[MockOutcome | None]") -> None:
        if task.cancelled():
            self._busy = None
            return
        error = task.exception()
        self._carry_on(task.result() if error is None else None, error)

    def _carry_on(self, outcome: MockOutcome | None, error: BaseException | None) -> None:
        """Answer what was decided (or hand it to aiohttp), then the requests that came after."""
        assert self._busy is not None
        (request, method), self._busy = self._busy, None
        if self._transport is None:
            return
        if error is None:
            decided = self._reply(method, outcome)
        elif isinstance(error, Exception):
            decided = Decided(error=error)
        else:  # the loop stopping: nothing to answer
            return self._transport.close()
        if decided is not None:
            data, self._buffer = request + self._buffer, b""
            self._hand_over(data, decided)
            return
        self._hold()
        self.data_received(b"")

    def _reply(self, method: str, outcome: MockOutcome | None) -> Decided | None:
        """Write the canned answer `outcome` has (None), or say what aiohttp answers from."""
        wire = mocks.canned_answer(outcome, method)
        if wire is None:
            return Decided(outcome)
        assert self._transport is not None
        self._transport.write(wire)
        self._last = self._loop.time()
        self._lane.runtime.fast_answers["mockhttp"] += 1
        return None

    def _hold(self) -> None:
        """Read while the client reads what it is sent and what waits for a request being
        decided is small."""
        hold = self._writing_paused or (self._busy is not None and len(self._buffer) > HELD_BYTES)
        transport = self._transport
        if hold is not self._reading_paused and transport is not None:
            if not transport.is_closing():
                (transport.pause_reading if hold else transport.resume_reading)()
            self._reading_paused = hold

    def _hand_over(self, data: bytes, decided: Decided | None = None) -> None:
        """The connection is aiohttp's from `data` on; the gate's count goes with it."""
        transport = self._transport
        if transport is None:
            return
        self._gone()
        if self._reading_paused and not transport.is_closing():
            transport.resume_reading()
        handler = self._handler()
        handler.decided = decided
        handler.connection_made(transport)  # aiohttp's task starts eagerly, waiting for a head
        if self._writing_paused:  # the transport calls the handler's resume_writing next
            handler.pause_writing()
        transport.set_protocol(handler)
        if data:
            handler.data_received(data)

    def _gone(self) -> None:
        self._transport = None
        self._lane.open.discard(self)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _check_idle(self) -> None:
        """aiohttp's keep-alive timeout: closed when silent that long after its last answer."""
        self._timer = None
        now = self._loop.time()
        if self._busy is not None or self._writing_paused or self._buffer:
            self._last = now  # a request is under way: not idle
        elif now >= self._last + self._idle and self._transport is not None:
            self._transport.close()
            return
        self._timer = self._loop.call_at(self._last + self._idle, self._check_idle)
