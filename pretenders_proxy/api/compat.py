"""The pretenders 1.4 control protocol: mocks (/http, /smtp), presets (/preset), history."""

import uuid
from collections.abc import Iterable
from typing import Any

from aiohttp import web

from pretenders_proxy.api import mail_views, paging, views
from pretenders_proxy.api.naming import named
from pretenders_proxy.api.requests import with_history
from pretenders_proxy.api.router import (
    Param,
    Router,
    json_response,
    read_model,
    runtime_of,
)
from pretenders_proxy.api.schemas import MockIn, MockOut, PresetIn, PretenderOut, SmtpMockOut
from pretenders_proxy.constants import FOREVER
from pretenders_proxy.errors import ConflictError, ListenError, NotFoundError
from pretenders_proxy.store import Session, StoredPreset
from pretenders_proxy.store.session import SessionProtocol

router = Router("pretenders 1.4", plain_errors=True)
STALE = Param("stale", "1: only the mocks whose timeout has passed")


@router.route(
    "POST",
    "/http",
    summary="Create an HTTP mock (or get the live one of that name)",
    body=MockIn,
    response=MockOut,
    errors=[429],
)
async def create_mock(request: web.Request) -> web.Response:
    body = await read_model(request, MockIn)
    state = runtime_of(request).state
    session = await state.open(body.name, SessionProtocol.HTTP, _timeout(body))
    return json_response({"path": f"/mockhttp/{session.name}", "id": session.name})


def _timeout(body: MockIn) -> float | bool | None:
    """The store's timeout argument: seconds, None for FOREVER, True for the server default."""
    if body.pretender_timeout == FOREVER:
        return None
    return True if body.pretender_timeout is None else float(body.pretender_timeout)


def mock_routes(
    path: str, protocol: SessionProtocol, stem: str, *, delete_all: str, delete_one: str
) -> None:
    """List, delete all, get and delete one mock of `protocol` at `path` and `path/{id}`: one
    shape for HTTP and SMTP mocks; `delete_all` and `delete_one` are those routes' summaries."""
    label, one = protocol.upper(), path + "/{id}"

    @router.route("GET", path, summary=f"List the {label} mocks", response=list[PretenderOut])
    @named(__name__, f"list_{stem}s")
    async def list_mocks(request: web.Request) -> web.Response:
        return _list(request, protocol)

    @router.route("DELETE", path, summary=delete_all, query=[STALE])
    @named(__name__, f"delete_{stem}s")
    async def delete_mocks(request: web.Request) -> web.Response:
        return await _delete_all(request, protocol)

    @router.route(
        "GET",
        one,
        summary=f"One {label} mock (404 once it expired)",
        response=PretenderOut,
        errors=[404],
    )
    @named(__name__, f"get_{stem}")
    async def get_mock(request: web.Request) -> web.Response:
        return json_response(views.pretender(_session(request)))

    @router.route("DELETE", one, summary=delete_one, errors=[404])
    @named(__name__, f"delete_{stem}")
    async def delete_mock(request: web.Request) -> web.Response:
        return await _delete(request)


mock_routes(
    "/http",
    SessionProtocol.HTTP,
    "mock",
    delete_all="Delete every HTTP mock, or with stale=1 the expired ones",
    delete_one="Delete an HTTP mock with its presets and history",
)


@router.route(
    "POST",
    "/smtp",
    summary="Create an SMTP mock: a listener on a free port of --smtp-port-range",
    body=MockIn,
    response=SmtpMockOut,
    errors=[409, 429, 503],
)
async def create_smtp_mock(request: web.Request) -> web.Response:
    body = await read_model(request, MockIn)
    runtime = runtime_of(request)
    name = body.name or str(uuid.uuid4())
    existing = runtime.store.find(name)
    if existing is not None and existing.protocol is not SessionProtocol.SMTP:
        raise ConflictError(f"{name!r} is an {existing.protocol} mock, not an SMTP one")
    if runtime.smtp is None:
        raise ListenError("the SMTP listeners are not running")
    if existing is None:
        runtime.store.make_room()  # before a listener opens for a session that cannot be
    port = await runtime.smtp.open_mock(name)
    session = await runtime.state.open(name, SessionProtocol.SMTP, _timeout(body))
    return json_response({"full_host": f"localhost:{port}", "id": session.name})


mock_routes(
    "/smtp",
    SessionProtocol.SMTP,
    "smtp_mock",
    delete_all="Delete every SMTP mock (stopping its listener), or with stale=1 the expired ones",
    delete_one="Delete an SMTP mock: its listener, presets and mail",
)


@router.route(
    "POST", "/preset/{id}", summary="Add a preset to a mock", body=PresetIn, errors=[400, 404]
)
async def add_preset(request: web.Request) -> web.Response:
    preset = (await read_model(request, PresetIn)).to_preset()
    await runtime_of(request).state.add_preset(_session(request), preset)
    return web.Response()


@router.route("GET", "/preset/{id}", summary="A mock's presets in creation order, as posted")
async def list_presets(request: web.Request) -> web.Response:
    session = _find(request)
    presets: Iterable[StoredPreset] = session.presets if session is not None else ()
    return json_response([views.preset_14(p) for p in presets])


@router.route("DELETE", "/preset/{id}", summary="Drop every preset of a mock")
async def clear_presets(request: web.Request) -> web.Response:
    if (session := _find(request)) is not None:
        state = runtime_of(request).state
        await state.clear_presets(session, smtp=False)
        await state.clear_presets(session, smtp=True)
    return web.Response()


@router.route(
    "GET",
    "/history/{id}",
    summary="Everything a mock received, in arrival order (an SMTP mock: its mail)",
    errors=[409],
)
async def list_history(request: web.Request) -> web.StreamResponse:
    if (session := _find(request)) is None:
        return json_response([])
    if session.protocol is SessionProtocol.SMTP:
        return await paging.whole(request, session.inbox, mail_views.mail_14)
    return await paging.whole(request, with_history(session).history, views.history_14)


@router.route(
    "GET",
    "/history/{id}/{n}",
    summary="The n-th (0-based) request a mock received",
    errors=[404, 409],
)
async def get_history_item(request: web.Request) -> web.Response:
    name, position = request.match_info["id"], request.match_info["n"]
    session = runtime_of(request).store.find(name)
    if session is None or not (position.isascii() and position.isdigit()):
        raise NotFoundError(f"mock {name!r} has no history item {position}")
    try:
        return json_response(_history(session, int(position)))
    except IndexError:
        raise NotFoundError(f"mock {name!r} has no history item {position}") from None


@router.route("DELETE", "/history/{id}", summary="Forget what a mock received")
async def clear_history(request: web.Request) -> web.Response:
    if (session := _find(request)) is not None:
        state = runtime_of(request).state
        await state.clear_history(session)
        await state.clear_mail(session)
    return web.Response()


def _history(session: Session, position: int) -> Any:
    """A mock's 1.4 history item at `position` (an SMTP mock's is its mail)."""
    if session.protocol is SessionProtocol.SMTP:
        return mail_views.mail_14(session.inbox[position])
    return views.history_14(with_history(session).history[position])


def _find(request: web.Request) -> Session | None:
    """The mock the path's `{id}` names; None when there is none (1.4 answers such calls)."""
    return runtime_of(request).store.find(request.match_info["id"])


def _session(request: web.Request) -> Session:
    if (session := _find(request)) is None:
        name = request.match_info["id"]
        raise NotFoundError(f"no mock named {name!r} (it never existed or it expired)")
    return session


async def _delete(request: web.Request) -> web.Response:
    name = request.match_info["id"]
    if not await runtime_of(request).state.delete(name):
        raise NotFoundError(f"no mock named {name!r}")
    return web.Response()


def _list(request: web.Request, protocol: SessionProtocol) -> web.Response:
    return json_response([views.pretender(s) for s in _live(request, protocol)])


async def _delete_all(request: web.Request, protocol: SessionProtocol) -> web.Response:
    state = runtime_of(request).state
    if request.query.get("stale"):
        await state.sweep()
    else:
        for session in _live(request, protocol):
            await state.delete(session.name)
    return web.Response()


def _live(request: web.Request, protocol: SessionProtocol) -> list[Session]:
    store = runtime_of(request).store
    return [
        s for s in list(store.sessions.values()) if s.protocol is protocol and store.find(s.name)
    ]
