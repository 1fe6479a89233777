"""The v1 control API: sessions, presets on proxy traffic, the request journal, health."""

import os
from collections.abc import Callable
from typing import Any

from aiohttp import web

from pretenders_proxy._version import __version__
from pretenders_proxy.api import paging, views
from pretenders_proxy.api.preset_routes import PresetKind, preset_routes
from pretenders_proxy.api.router import Param, Router, json_response, read_model, runtime_of
from pretenders_proxy.api.schemas import (
    Health,
    PresetIn,
    PresetOut,
    SessionIn,
    SessionOut,
)
from pretenders_proxy.cassette.redact import DEFAULT_HEADERS
from pretenders_proxy.constants import FOREVER
from pretenders_proxy.errors import ListenError, NotFoundError
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.store import Session
from pretenders_proxy.store.session import SessionProtocol
from pretenders_proxy.store.sessions import DEFAULT_SESSION

router = Router("v1")

SESSION = Param("session", f"The session (default: {DEFAULT_SESSION}).")
DROPPED = "X-Pretenders-Dropped"
DROPPED_HEADER = Param(
    DROPPED,
    "How many the sessions listed let go past --history-limit or "
    "--history-max-bytes (the oldest go first).",
    "integer",
)


@router.route(
    "GET",
    "/api/v1/sessions",
    summary="List the sessions, oldest first, a page at a time",
    response=list[SessionOut],
    query=paging.PAGE_QUERY,
    headers=paging.PAGE_HEADERS,
)
async def list_sessions(request: web.Request) -> web.Response:
    page = paging.page_of(request, "sessions")
    runtime = runtime_of(request)
    await runtime.state.sweep()
    after = [s for s in runtime.store.sessions.values() if s.serial > page.after]
    return paging.answer(request, page, after, lambda s: s.serial, _session_view(runtime))


@router.route(
    "POST",
    "/api/v1/sessions",
    summary="Create a session (or get the live one of that name; record_history, when given, "
    "is set on it)",
    body=SessionIn,
    response=SessionOut,
    errors=[429, 503],
    status=201,
)
async def create_session(request: web.Request) -> web.Response:
    body = await read_model(request, SessionIn)
    timeout: float | bool | None = True
    if body.timeout == FOREVER:
        timeout = None
    elif body.timeout is not None:
        timeout = float(body.timeout)
    runtime = runtime_of(request)
    session = await runtime.state.open(body.name, SessionProtocol.HTTP, timeout)
    if body.record_history is not None and body.record_history != session.record_history:
        await runtime.state.record_history(session, body.record_history)
    if body.proxy_port:
        if runtime.proxy_ports is None:
            raise ListenError("the proxy is not running: no port for the session")
        await runtime.proxy_ports.open(session.name)
    return json_response(_session_view(runtime)(session), status=201)


@router.route(
    "GET", "/api/v1/sessions/{name}", summary="One session", response=SessionOut, errors=[404]
)
async def get_session(request: web.Request) -> web.Response:
    runtime = runtime_of(request)
    return json_response(_session_view(runtime)(runtime.store.get(request.match_info["name"])))


def _session_view(runtime: Runtime) -> Callable[[Session], dict[str, Any]]:
    """How a session is shown: with its own proxy port, if it has one."""
    ports = runtime.proxy_ports
    return lambda s: views.session(s, ports.port_of(s.name) if ports else None)


@router.route(
    "DELETE",
    "/api/v1/sessions/{name}",
    summary="Delete a session and all it holds",
    errors=[404],
    status=204,
)
async def delete_session(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if not await runtime_of(request).state.delete(name):
        raise NotFoundError(f"no session named {name!r}")
    return web.Response(status=204)


preset_routes(
    router,
    PresetKind(
        noun="preset",
        stem="preset",
        path="/api/v1/presets",
        protocol=SessionProtocol.HTTP,
        body=PresetIn,
        response=PresetOut,
        add_summary="Add a preset; it answers proxy and mock traffic of its session",
        to_preset=PresetIn.to_preset,
        add=lambda state, session, preset: state.add_preset(session, preset),
        book=lambda session: session.presets,
        smtp=False,
        view=views.preset,
    ),
    SESSION,
    __name__,
)


@router.route(
    "GET",
    "/health",
    summary="Liveness, version, listener addresses and the store's state",
    response=Health,
    fresh=False,  # says how the store is, even when it is unreachable
)
async def health(request: web.Request) -> web.Response:
    runtime = runtime_of(request)
    problems = [f"not recording: {problem}" for problem in runtime.cassettes.problems.values()]
    store = runtime.state.health()
    if store["state"] != "up":
        problems.append(f"store {store['kind']} is {store['state']}: {store.get('problem')}")
    return json_response(
        {
            "status": "degraded" if problems else "ok",
            "version": __version__,
            "pid": os.getpid(),
            "listeners": runtime.listeners,
            "sessions": len(runtime.store.sessions),
            "waiting": len(runtime.store.events),
            "problems": problems,
            "store": store,
            "secret_headers": [*DEFAULT_HEADERS, *runtime.settings.redact_headers],
            "fast_answers": runtime.fast_answers,
        }
    )
