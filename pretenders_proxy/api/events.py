"""Server-sent events: every request and mail as it arrives, for the web UI and for scripts."""

import asyncio
import json

from aiohttp import web

from pretenders_proxy.api import mail_views, views
from pretenders_proxy.api.router import Param, Router, runtime_of
from pretenders_proxy.model.journal import Entry
from pretenders_proxy.model.mail import Mail

router = Router("events")

HEARTBEAT = 15.0
QUEUE = 1000


@router.route(
    "GET",
    "/api/v1/events",
    summary="A text/event-stream of `request` and `mail` events (JSON as in the lists), "
    "with a comment every 15 s; past 1000 unsent events it sends `overflow` and stops",
    query=[Param("session", "Only this session's events (all sessions when absent).")],
)
async def events(request: web.Request) -> web.StreamResponse:
    only = request.query.get("session")
    queue: asyncio.Queue[tuple[str, dict[str, object]]] = asyncio.Queue(QUEUE)

    def listen(item: object) -> None:
        if not isinstance(item, Entry | Mail) or only not in (None, item.session) or queue.full():
            return  # a full queue is reported as overflow by the writer below
        if isinstance(item, Entry):
            queue.put_nowait(("request", views.entry(item)))
        else:
            queue.put_nowait(("mail", mail_views.mail_summary(item)))

    headers = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    stream = web.StreamResponse(headers=headers)
    await stream.prepare(request)
    unsubscribe = runtime_of(request).store.events.subscribe(listen)
    try:
        await stream.write(b": connected\n\n")
        while True:
            if queue.full():
                await stream.write(b"event: overflow\ndata: {}\n\n")
                break
            try:
                name, data = await asyncio.wait_for(queue.get(), HEARTBEAT)
            except TimeoutError:
                await stream.write(b": keep-alive\n\n")
                continue
            await stream.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
    except ConnectionResetError:
        pass  # the client went away
    finally:
        unsubscribe()
    return stream
