"""The routes HTTP and SMTP presets share: list, add and clear a session's presets, get and
delete one by id. A PresetKind says what differs between the two."""

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web
from pydantic import BaseModel

from pretenders_proxy.api import paging
from pretenders_proxy.api.naming import named
from pretenders_proxy.api.router import (
    Param,
    Router,
    json_response,
    read_model,
    runtime_of,
    session_of,
)
from pretenders_proxy.errors import NotFoundError
from pretenders_proxy.store import Session
from pretenders_proxy.store.session import SessionProtocol
from pretenders_proxy.store.sessions import DEFAULT_SESSION
from pretenders_proxy.store.state import State


class Stored(Protocol):
    @property
    def id(self) -> int: ...


class Book[S: Stored](Protocol):
    """What the routes need of a session's presets of one kind."""

    def __iter__(self) -> Iterator[S]: ...
    def get(self, preset_id: int) -> S | None: ...
    def remove(self, preset_id: int) -> bool: ...
    def clear(self) -> None: ...


@dataclass(frozen=True)
class PresetKind[S: Stored, B: BaseModel, P]:
    """One kind of preset in the API: S is it stored, B its request body, P the model preset."""

    noun: str
    """"preset", "SMTP preset": in the summaries and in the 404 message."""
    stem: str
    """"preset", "smtp_preset": the handler names (list_<stem>s, add_<stem>, ...)."""
    path: str
    protocol: SessionProtocol
    """What a session created by adding a preset mocks."""
    body: type[B]
    response: type[BaseModel]
    add_summary: str
    to_preset: Callable[[B], P]
    add: Callable[[State, Session, P], Awaitable[S]]
    book: Callable[[Session], Book[S]]
    smtp: bool
    """Whether these are SMTP presets (State.remove_preset, State.clear_presets)."""
    view: Callable[[S, str], dict[str, Any]]

    def find(self, request: web.Request) -> tuple[Session, S]:
        """The session holding the preset of the path's `{id}`, and that preset; else 404."""
        wanted = request.match_info["id"]
        if wanted.isascii() and wanted.isdigit():
            for session in runtime_of(request).store.sessions.values():
                if (stored := self.book(session).get(int(wanted))) is not None:
                    return session, stored
        raise NotFoundError(f"no {self.noun} {wanted} (unknown, deleted or used up)")


def preset_routes(
    router: Router, kind: PresetKind[Any, Any, Any], query: Param, module: str
) -> None:
    """Add the five routes of `kind` to `router`; `query` names the session, `module` the
    handlers (as if written out there)."""
    _collection_routes(router, kind, query, module)
    _item_routes(router, kind, module)


def _collection_routes(
    router: Router, kind: PresetKind[Any, Any, Any], query: Param, module: str
) -> None:
    @router.route(
        "GET",
        kind.path,
        summary=f"A session's {kind.noun}s in the order they are tried, a page at a time",
        response=list[kind.response],  # type: ignore[name-defined]
        query=[query, *paging.PAGE_QUERY],
        errors=[404],
        headers=paging.PAGE_HEADERS,
    )
    @named(module, f"list_{kind.stem}s")
    async def list_all(request: web.Request) -> web.Response:
        page = paging.page_of(request, kind.stem + "s")
        session = session_of(request)
        after = [p for p in kind.book(session) if p.id > page.after]
        return paging.answer(request, page, after, _id, lambda p: kind.view(p, session.name))

    @router.route(
        "POST",
        kind.path,
        summary=kind.add_summary,
        body=kind.body,
        response=kind.response,
        query=[query],
        errors=[400, 429],
        status=201,
    )
    @named(module, f"add_{kind.stem}")
    async def add(request: web.Request) -> web.Response:
        preset = kind.to_preset(await read_model(request, kind.body))  # before the session opens
        state = runtime_of(request).state
        session = await state.open(request.query.get("session") or DEFAULT_SESSION, kind.protocol)
        stored = await kind.add(state, session, preset)
        return json_response(kind.view(stored, session.name), status=201)

    @router.route(
        "DELETE",
        kind.path,
        summary=f"Drop every {kind.noun} of a session",
        query=[query],
        errors=[404],
        status=204,
    )
    @named(module, f"clear_{kind.stem}s")
    async def clear(request: web.Request) -> web.Response:
        await runtime_of(request).state.clear_presets(session_of(request), smtp=kind.smtp)
        return web.Response(status=204)


def _id(stored: Stored) -> int:
    return stored.id


def _item_routes(router: Router, kind: PresetKind[Any, Any, Any], module: str) -> None:
    one = kind.path + "/{id}"

    @router.route("GET", one, summary=f"One {kind.noun}", response=kind.response, errors=[404])
    @named(module, f"get_{kind.stem}")
    async def get(request: web.Request) -> web.Response:
        session, stored = kind.find(request)
        return json_response(kind.view(stored, session.name))

    @router.route("DELETE", one, summary=f"Drop one {kind.noun}", errors=[404], status=204)
    @named(module, f"delete_{kind.stem}")
    async def delete(request: web.Request) -> web.Response:
        session, stored = kind.find(request)
        await runtime_of(request).state.remove_preset(session, stored.id, smtp=kind.smtp)
        return web.Response(status=204)
