"""A forward-proxy connection on the fast lane: its requests read, decided and answered without
mitmproxy while each is one the lane can answer whole; from the first byte of any other request
on, the connection is mitmproxy's (lane.ProxyLane.hand_over), a decision made already going
with it."""

import asyncio
from typing import TYPE_CHECKING, Any

from pretenders_proxy.proxy.lanecall import END, MAX_HEAD, Call, read
from pretenders_proxy.server.gate import Gate

if TYPE_CHECKING:
    from pretenders_proxy.proxy.lane import Decision, ProxyLane

type Answered = bytes | "Decision" | None
"""What the lane made of a request: the bytes answering it, a decision mitmproxy carries out,
or None (mitmproxy decides)."""

HELD_BYTES = 1 << 16
"""What a connection may send ahead while its request is decided before reading pauses."""


class FrontConnection(asyncio.Protocol):
    """One client connection of a forward-proxy listener. Requests are answered in order, one
    at a time: while one is decided (a shared store's round trip) what comes is kept, and
    reading pauses once that is over HELD_BYTES or while the client does not read what it was
    sent (the transport over its high-water mark); pausing per request would cost two epoll
    calls each. Silent for the idle timeout after its last answer, it is closed (as mitmproxy's
    `tcp_timeout` closes its own); a head that is not whole is mitmproxy's, which times it."""

    def __init__(self, lane: "ProxyLane", instance: Any, gate: Gate) -> None:
        self._lane, self._instance, self._gate = lane, instance, gate
        self._transport: asyncio.Transport | None = None
        self._loop = asyncio.get_running_loop()
        self._port = 0  # the listener's port (a session's own port names the session)
        self._buffer = b""  # bytes read while held
        self._busy: bytes | None = None  # the request being decided
        self._writing_paused = self._reading_paused = False
        self._last = 0.0  # when the last answer went, or the connection came
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        sockname = transport.get_extra_info("sockname")
        self._port = sockname[1] if isinstance(sockname, tuple) and len(sockname) > 1 else 0
        self._lane.open.add(self)
        self._last = self._loop.time()
        self._timer = self._loop.call_at(self._last + self._lane.idle, self._check_idle)

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
        lane = self._lane
        while start < size:
            if self._busy is not None or self._writing_paused or self._transport is None:
                self._buffer = data[start:]
                return self._hold()
            head = data.find(END, start, start + MAX_HEAD)
            found = self._read(data, start, head + 4) if head >= 0 else None
            if found is None:
                return self._hand_over(data[start:], None)
            call, memo = found
            end = start + call.length
            if lane.waits:  # a shared store: its round trip is awaited
                return self._wait(call, data[start:end], data[end:])
            answered = lane.answer_now(call, self._port, memo)
            if not isinstance(answered, bytes):
                return self._hand_over(data[start:], answered)
            self._write(answered)
            start = end

    def _read(self, data: bytes, start: int, body: int) -> tuple[Call, bool] | None:
        """`lanecall.read`, once per distinct bodiless head (ProxyLane.heads); and whether the
        Request is the head cache's, one object for every request of those bytes."""
        heads, head = self._lane.heads, data[start:body]
        call = heads.get(head)
        if call is not None:
            return call, True
        call = read(data, start, body - 4, self._lane.body_cap)
        return None if call is None else (call, heads.keep(head, call, call.length))

    def _wait(self, call: Call, request: bytes, rest: bytes) -> None:
        self._busy, self._buffer = request, rest
        self._hold()
        self._lane.begin(call, self._port, self._decided)

    def _decided(self, answered: "Answered | BaseException") -> None:
        assert self._busy is not None
        request, self._busy = self._busy, None
        if self._transport is None or isinstance(answered, asyncio.CancelledError):
            return
        if isinstance(answered, BaseException):  # the loop stopping, or the entry not kept
            self._transport.close()
            return
        if not isinstance(answered, bytes):
            data, self._buffer = request + self._buffer, b""
            return self._hand_over(data, answered)
        self._write(answered)
        self._hold()
        self.data_received(b"")

    def _write(self, wire: bytes) -> None:
        assert self._transport is not None
        self._transport.write(wire)
        self._last = self._loop.time()
        self._lane.runtime.fast_answers["proxy"] += 1

    def _hold(self) -> None:
        """Read while the client reads what it is sent and what waits for a request being
        decided is small."""
        hold = self._writing_paused or (self._busy is not None and len(self._buffer) > HELD_BYTES)
        transport = self._transport
        if hold is not self._reading_paused and transport is not None:
            if not transport.is_closing():
                (transport.pause_reading if hold else transport.resume_reading)()
            self._reading_paused = hold

    def _hand_over(self, data: bytes, decided: "Decision | None") -> None:
        """The connection is mitmproxy's from `data` on; the gate's count goes with it."""
        transport = self._transport
        if transport is None:
            return
        self._gone()
        if self._reading_paused and not transport.is_closing():
            transport.resume_reading()
        paused = self._writing_paused
        self._lane.hand_over(self._instance, transport, data, self._gate, decided, paused)

    def _gone(self) -> None:
        self._transport = None
        self._lane.open.discard(self)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _check_idle(self) -> None:
        self._timer = None
        now = self._loop.time()
        if self._busy is not None or self._writing_paused or self._buffer:
            self._last = now  # a request is under way: not idle
        elif now >= self._last + self._lane.idle and self._transport is not None:
            self._transport.close()
            return
        self._timer = self._loop.call_at(self._last + self._lane.idle, self._check_idle)
