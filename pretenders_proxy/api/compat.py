"""The pretenders 1.4 control protocol: mocks (/http), presets (/preset) and history (/history)."""

from collections.abc import Iterable

from aiohttp import web

from pretenders_proxy.api import views
from pretenders_proxy.api.router import (
    Param,
    Router,
    json_response,
    read_model,
    runtime_of,
)
from pretenders_proxy.api.schemas import MockIn, MockOut, PresetIn, PretenderOut
from pretenders_proxy.constants import FOREVER
from pretenders_proxy.errors import NotFoundError
from pretenders_proxy.model.journal import Entry
from pretenders_proxy.store import Session, StoredPreset
from pretenders_proxy.store.session import Protocol

router = Router("pretenders 1.4", plain_errors=True)


@router.route(
    "POST",
    "/http",
    summary="Create an HTTP mock (or get the live one of that name)",
    body=MockIn,
    response=MockOut,
)
async def create_mock(request: web.Request) -> web.Response:
    body = await read_model(request, MockIn)
    timeout: float | bool | None = True  # the server default
    if body.pretender_timeout == FOREVER:
        timeout = None
    elif body.pretender_timeout is not None:
        timeout = float(body.pretender_timeout)
    session = runtime_of(request).store.open(body.name, Protocol.HTTP, timeout)
    return json_response({"path": f"/mockhttp/{session.name}", "id": session.name})


@router.route("GET", "/http", summary="List the HTTP mocks", response=list[PretenderOut])
async def list_mocks(request: web.Request) -> web.Response:
    return json_response([views.pretender(s) for s in _live(request, Protocol.HTTP)])


@router.route(
    "DELETE",
    "/http",
    summary="Delete every HTTP mock, or with stale=1 the expired ones",
    query=[Param("stale", "1: only the mocks whose timeout has passed")],
)
async def delete_mocks(request: web.Request) -> web.Response:
    store = runtime_of(request).store
    if request.query.get("stale"):
        store.sweep()
    else:
        for session in _live(request, Protocol.HTTP):
            store.delete(session.name)
    return web.Response()


@router.route(
    "GET",
    "/http/{id}",
    summary="One HTTP mock (404 once it expired)",
    response=PretenderOut,
    errors=[404],
)
async def get_mock(request: web.Request) -> web.Response:
    return json_response(views.pretender(_session(request)))


@router.route(
    "DELETE", "/http/{id}", summary="Delete an HTTP mock with its presets and history", errors=[404]
)
async def delete_mock(request: web.Request) -> web.Response:
    name = request.match_info["id"]
    if not runtime_of(request).store.delete(name):
        raise NotFoundError(f"no mock named {name!r}")
    return web.Response()


@router.route(
    "POST", "/preset/{id}", summary="Add a preset to a mock", body=PresetIn, errors=[400, 404]
)
async def add_preset(request: web.Request) -> web.Response:
    preset = (await read_model(request, PresetIn)).to_preset()
    store = runtime_of(request).store
    store.add_preset(_session(request), preset)
    return web.Response()


@router.route("GET", "/preset/{id}", summary="A mock's presets in creation order, as posted")
async def list_presets(request: web.Request) -> web.Response:
    session = runtime_of(request).store.find(request.match_info["id"])
    presets: Iterable[StoredPreset] = session.presets if session is not None else ()
    return json_response([views.preset_14(p) for p in presets])


@router.route("DELETE", "/preset/{id}", summary="Drop every preset of a mock")
async def clear_presets(request: web.Request) -> web.Response:
    if (session := runtime_of(request).store.find(request.match_info["id"])) is not None:
        session.presets.clear()
    return web.Response()


@router.route("GET", "/history/{id}", summary="Everything a mock received, in arrival order")
async def list_history(request: web.Request) -> web.Response:
    session = runtime_of(request).store.find(request.match_info["id"])
    entries: Iterable[Entry] = session.history if session is not None else ()
    return json_response([views.history_14(e) for e in entries])


@router.route(
    "GET", "/history/{id}/{n}", summary="The n-th (0-based) request a mock received", errors=[404]
)
async def get_history_item(request: web.Request) -> web.Response:
    name, position = request.match_info["id"], request.match_info["n"]
    session = runtime_of(request).store.find(name)
    if session is None or not position.isdigit() or int(position) >= len(session.history):
        raise NotFoundError(f"mock {name!r} has no history item {position}")
    return json_response(views.history_14(session.history[int(position)]))


@router.route("DELETE", "/history/{id}", summary="Forget what a mock received")
async def clear_history(request: web.Request) -> web.Response:
    if (session := runtime_of(request).store.find(request.match_info["id"])) is not None:
        session.history.clear()
    return web.Response()


def _session(request: web.Request) -> Session:
    name = request.match_info["id"]
    session = runtime_of(request).store.find(name)
    if session is None:
        raise NotFoundError(f"no mock named {name!r} (it never existed or it expired)")
    return session


def _live(request: web.Request, protocol: Protocol) -> list[Session]:
    store = runtime_of(request).store
    return [
        s for s in list(store.sessions.values()) if s.protocol is protocol and store.find(s.name)
    ]
