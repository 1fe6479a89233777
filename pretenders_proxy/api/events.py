"""Server-sent events: a summary of every request and mail as it arrives, for the web UI and for
scripts. A subscriber that stops reading is dropped once its backlog passes a bound (issue 15)."""

import asyncio
import contextlib
import json
from collections import deque

from aiohttp import web

from pretenders_proxy.api import mail_views, views
from pretenders_proxy.api.router import Param, Router, runtime_of
from pretenders_proxy.api.waiting import CHECK_CLIENT, client_gone
from pretenders_proxy.model.journal import Entry
from pretenders_proxy.model.mail import Mail

router = Router("events")

HEARTBEAT = 15.0
BACKLOG = 1000
"""Events waiting for one subscriber before it is dropped..."""
BACKLOG_BYTES = 1024 * 1024
"""...or bytes of them, whichever comes first."""
WRITE_TIMEOUT = 10.0
"""Seconds a write may wait for the subscriber to read; then it is cut off."""
OVERFLOW = b"event: overflow\ndata: {}\n\n"


class Backlog:
    """The events one subscriber has not been sent yet; past the bound it overflows, for good."""

    __slots__ = ("bytes", "frames", "overflowed", "ready")

    def __init__(self) -> None:
        self.frames: deque[bytes] = deque()
        self.bytes = 0
        self.overflowed = False
        self.ready = asyncio.Event()

    def push(self, frame: bytes) -> None:
        if len(self.frames) >= BACKLOG or self.bytes + len(frame) > BACKLOG_BYTES:
            self.overflowed = True
            self.frames.clear()  # never sent now: let them go at once
            self.bytes = 0
        else:
            self.frames.append(frame)
            self.bytes += len(frame)
        self.ready.set()

    def pop(self) -> bytes | None:
        if not self.frames:
            self.ready.clear()
            return None
        frame = self.frames.popleft()
        self.bytes -= len(frame)
        return frame


def frame(item: object) -> bytes | None:
    """The event for a new history entry or mail (a summary: no headers, no bodies)."""
    if isinstance(item, Entry):
        return b"event: request\ndata: " + json.dumps(views.entry_summary(item)).encode() + b"\n\n"
    if isinstance(item, Mail):
        return b"event: mail\ndata: " + json.dumps(mail_views.mail_summary(item)).encode() + b"\n\n"
    return None


@router.route(
    "GET",
    "/api/v1/events",
    summary="A text/event-stream of `request` and `mail` events (summaries: `GET "
    "/api/v1/requests/<id>` has the rest), with a comment every 15 s; past 1000 unsent events "
    "(or 1 MiB) it sends `overflow` and stops, and a subscriber not reading for 10 s is cut off",
    query=[Param("session", "Only this session's events (all sessions when absent).")],
)
async def events(request: web.Request) -> web.StreamResponse:
    only = request.query.get("session")
    backlog = Backlog()
    hub = runtime_of(request).store.events

    def listen(item: object) -> None:
        if isinstance(item, Entry | Mail) and only in (None, item.session):
            if (event := frame(item)) is not None:
                backlog.push(event)
            if backlog.overflowed:
                unsubscribe()  # a subscriber this far behind costs nothing more

    headers = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    stream = web.StreamResponse(headers=headers)
    stream.force_close()  # once the stream ends, so does its connection
    await stream.prepare(request)
    unsubscribe = hub.subscribe(listen)
    try:
        await _send(request, stream, backlog)
    except (ConnectionError, TimeoutError):  # gone, or not reading: drop it, whatever it holds
        if request.transport is not None:
            request.transport.abort()
    finally:
        unsubscribe()
    return stream


async def _send(request: web.Request, stream: web.StreamResponse, backlog: Backlog) -> None:
    """Write the backlog as it fills, a heartbeat when idle, until overflow or the client goes."""
    gone = client_gone(request)
    loop = asyncio.get_running_loop()
    await _write(stream, b": connected\n\n")
    quiet_since = loop.time()
    while not gone():
        if backlog.overflowed:
            await _write(stream, OVERFLOW)
            return
        if (event := backlog.pop()) is not None:
            await _write(stream, event)
            quiet_since = loop.time()
            continue
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(CHECK_CLIENT):
                await backlog.ready.wait()
        if loop.time() - quiet_since >= HEARTBEAT:
            await _write(stream, b": keep-alive\n\n")
            quiet_since = loop.time()


async def _write(stream: web.StreamResponse, data: bytes) -> None:
    async with asyncio.timeout(WRITE_TIMEOUT):
        await stream.write(data)
