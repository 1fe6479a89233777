"""Routes with their documentation, and the one place errors become HTTP answers."""

import functools
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ValidationError

from pretenders_proxy.errors import (
    BadRequestError,
    ConfigError,
    ConflictError,
    ListenError,
    NotFoundError,
    StoreUnavailableError,
    TooManySessionsError,
)
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.store import Session
from pretenders_proxy.store.sessions import DEFAULT_SESSION

logger = logging.getLogger(__name__)

RUNTIME = web.AppKey("runtime", Runtime)
CHECKED = "/api/v1/"
"""Routes under this prefix refuse query parameters they do not declare."""

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    description: str
    type: str = "string"
    required: bool = False


@dataclass(frozen=True, slots=True)
class Route:
    """One endpoint: where, what it does, what it takes and gives (for OpenAPI too)."""

    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    response: Any = None
    query: tuple[Param, ...] = ()
    errors: tuple[int, ...] = ()
    plain_errors: bool = False
    status: int = 200
    """The status of a success (201 created, 204 no content)."""
    headers: tuple[Param, ...] = ()
    """Headers of a success worth documenting (the next page's cursor)."""


@dataclass
class Router:
    """Collects the routes of one part of the API; `plain_errors` answers errors as text (1.4)."""

    tag: str
    plain_errors: bool = False
    routes: list[Route] = field(default_factory=list)

    def route(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        body: type[BaseModel] | None = None,
        response: Any = None,
        query: Sequence[Param] = (),
        errors: Sequence[int] = (),
        status: int = 200,
        headers: Sequence[Param] = (),
        fresh: bool = True,
    ) -> Callable[[Handler], Handler]:
        """`fresh`: the handler reads the store as the other instances left it (see guarded)."""

        def register(handler: Handler) -> Handler:
            checked = strict(handler, query) if path.startswith(CHECKED) else handler
            self.routes.append(
                Route(
                    method,
                    path,
                    guarded(checked, plain=self.plain_errors, fresh=fresh),
                    summary,
                    self.tag,
                    body,
                    response,
                    tuple(query),
                    tuple(errors),
                    self.plain_errors,
                    status,
                    tuple(headers),
                )
            )
            return handler

        return register


def problem(status: int, message: str, *, plain: bool = False) -> web.Response:
    if plain:
        return web.Response(status=status, text=message + "\n")
    return json_response({"error": message}, status=status)


def json_response(
    data: object, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    # ASCII-only JSON: the 1.4 client decodes every body it reads as ASCII.
    return web.Response(
        status=status, text=json.dumps(data), content_type="application/json", headers=headers
    )


def describe(error: ValidationError) -> str:
    """A validation error as one line naming each bad field."""
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "body"
        parts.append(f"{where}: {item['msg']}")
    return "invalid request body: " + "; ".join(parts)


def guarded(handler: Handler, *, plain: bool, fresh: bool = True) -> Handler:
    """Answer known errors with a 4xx naming the problem (503: the shared store is
    unreachable); anything else is logged and a 500. `fresh`: the store is brought up to date
    with the other instances' changes first (a shared store's)."""

    @functools.wraps(handler)
    async def answer(request: web.Request) -> web.StreamResponse:
        try:
            if fresh:
                await runtime_of(request).state.catch_up()
            return await handler(request)
        except web.HTTPException:
            raise
        except ValidationError as e:
            return problem(400, describe(e), plain=plain)
        except (ConfigError, BadRequestError) as e:
            return problem(400, str(e), plain=plain)
        except NotFoundError as e:
            return problem(404, str(e), plain=plain)
        except ConflictError as e:
            return problem(409, str(e), plain=plain)
        except TooManySessionsError as e:
            return problem(429, str(e), plain=plain)
        except (ListenError, StoreUnavailableError) as e:  # no free port left for a new SMTP
            return problem(503, str(e), plain=plain)  # mock, or no Redis
        except Exception as e:
            logger.exception("control API: %s %s failed", request.method, request.path)
            return problem(500, f"internal error: {e!r} (please report it)", plain=plain)

    return answer


def strict(handler: Handler, known: Sequence[Param]) -> Handler:
    """`handler`, refusing first any query parameter it does not declare (check_query)."""

    @functools.wraps(handler)
    async def checked(request: web.Request) -> web.StreamResponse:
        check_query(request, known)
        return await handler(request)

    return checked


def runtime_of(request: web.Request) -> Runtime:
    return request.app[RUNTIME]


def session_of(request: web.Request) -> Session:
    """The session named by `?session=` (default: `default`); 404 when there is none."""
    return runtime_of(request).store.get(request.query.get("session") or DEFAULT_SESSION)


def sessions_of(request: web.Request) -> list[Session]:
    """The session named by `?session=`, or every live session when none is named."""
    if "session" in request.query:
        return [session_of(request)]
    store = runtime_of(request).store
    store.sweep()
    return list(store.sessions.values())


async def read_json(request: web.Request) -> Any:
    raw = await request.read()
    if not raw.strip():
        raise BadRequestError("request body is empty; a JSON document was expected")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise BadRequestError(f"request body is not valid JSON: {e}") from e
    except RecursionError:  # `[` * 200,000: a 400 like any bad JSON, not a 500 (issue 15)
        raise BadRequestError("request body is JSON nested too deeply to read") from None


async def read_model[M: BaseModel](request: web.Request, model: type[M]) -> M:
    return model.model_validate(await read_json(request))


def query_float(request: web.Request, name: str) -> float | None:
    value = request.query.get(name)
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        raise BadRequestError(f"query parameter {name}={value!r} is not a number") from None


def query_whole(request: web.Request, name: str, default: int) -> int:
    """A query parameter that is a whole number, 0 or more; `default` when absent or empty."""
    value = request.query.get(name, "")
    return whole(name, value) if value else default


MAX_WHOLE = 10**18 - 1
"""The largest whole number a query takes (below sys.maxsize: counts go to itertools)."""


def whole(name: str, value: str) -> int:
    """The query parameter `name`'s `value` as a whole number, 0 to MAX_WHOLE (else a 400)."""
    if not (value.isascii() and value.isdigit()):
        raise BadRequestError(f"{name}={value!r} is not a whole number, 0 or more")
    if len(value.lstrip("0")) > len(str(MAX_WHOLE)):
        raise BadRequestError(f"{name}={value!r} is too large (at most {MAX_WHOLE})")
    return int(value)


def check_query(request: web.Request, known: Sequence[Param]) -> None:
    """Refuse query parameters the route does not know (a typo would silently match all)."""
    names = {p.name for p in known}
    if unknown := sorted(set(request.query) - names):
        raise BadRequestError(
            f"unknown query parameter {', '.join(unknown)}; this route takes "
            + (", ".join(sorted(names)) or "none")
        )
