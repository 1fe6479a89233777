"""The control API application: the v1 API, the pretenders 1.4 protocol, mock traffic, the UI."""

import hmac
import json
from collections.abc import Callable
from typing import cast

from aiohttp import web
from aiohttp.typedefs import Middleware

from pretenders_proxy.api import (
    cassettes,
    certificates,
    compat,
    events,
    mail,
    mocks,
    modes,
    openapi,
    requests,
    smtp_presets,
    ui,
    v1,
)
from pretenders_proxy.api.gate import Gate
from pretenders_proxy.api.router import RUNTIME, Handler, Route, guarded, problem
from pretenders_proxy.server.runtime import Runtime

V1 = "/api/v1/"


def routes() -> list[Route]:
    return [
        *v1.router.routes,
        *requests.router.routes,
        *events.router.routes,
        *mail.router.routes,
        *smtp_presets.router.routes,
        *modes.router.routes,
        *cassettes.router.routes,
        *certificates.router.routes,
        *compat.router.routes,
        *mocks.router.routes,
    ]


def create_app(runtime: Runtime) -> web.Application:
    """The aiohttp application serving everything on the control port."""
    middlewares = [_guard(Gate.of(runtime.settings))]
    if runtime.settings.token:
        middlewares.append(_require_token(runtime.settings.token))
    app = web.Application(client_max_size=runtime.settings.max_body_size, middlewares=middlewares)
    app[RUNTIME] = runtime
    table = routes()
    for route in table:
        app.router.add_route(route.method, route.path, route.handler)
        if route.path.startswith(V1):  # /api/... is the same API, unversioned
            app.router.add_route(route.method, "/api/" + route.path[len(V1) :], route.handler)
    spec: list[str] = []  # made on first request: building every schema slows start-up

    async def openapi_json(request: web.Request) -> web.Response:
        if not spec:
            spec.append(json.dumps(openapi.document(table)))
        return web.Response(text=spec[0], content_type="application/json")

    app.router.add_get("/api/v1/openapi.json", openapi_json)
    app.router.add_get("/api/openapi.json", openapi_json)
    ui.add_routes(app)
    return app


MOCKS = "/mockhttp/"


def direct_mocks(runtime: Runtime) -> Callable[[web.Server], None]:
    """What makes `server` answer `/mockhttp/<name>/...` without the router and middlewares.

    Mock traffic is the hot path: resolving it among every API route, then running the token
    middleware (which lets mocks through anyway), cost more than answering it. Anything else
    goes the usual way.
    """
    mock = guarded(lambda request: mocks.serve(request, runtime), plain=True, fresh=False)
    gate = Gate.of(runtime.settings)

    def install(server: web.Server) -> None:
        routed = server.request_handler

        async def handle(request: web.BaseRequest) -> web.StreamResponse:
            path = request.raw_path
            if path.startswith(MOCKS) and len(path) > len(MOCKS) and path[len(MOCKS)] != "/":
                if (why := gate.refusal(request, control=False)) is not None:
                    return mocks.refused(why)
                return await mock(cast(web.Request, request))
            return await routed(request)

        server.request_handler = handle

    return install


def _guard(gate: Gate) -> Middleware:
    """A 403 naming the reason for what the gate refuses: a foreign Host anywhere, a
    state-changing call from another origin on anything but the mocks."""

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        mock = request.path.startswith(MOCKS)
        if (why := gate.refusal(request, control=not mock)) is not None:
            if mock:
                return mocks.refused(why)
            return problem(403, why, plain=not request.path.startswith(("/api/", "/health")))
        return await handler(request)

    return check


def _require_token(token: str) -> Middleware:
    """Every control call needs `Authorization: Bearer <token>` (the scheme name in any case, as
    RFC 9110 says); the mocks stay open to the app, and the UI's files to the browser (the page
    asks for the token)."""
    expected = token.encode()

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(MOCKS) or ui.is_public(request.path):
            return await handler(request)
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        is_bearer = scheme.lower() == "bearer"
        if not (hmac.compare_digest(given.strip().encode(), expected) and is_bearer):
            answer = problem(401, "this control API needs Authorization: Bearer <token>")
            answer.headers["WWW-Authenticate"] = "Bearer"
            return answer
        return await handler(request)

    return check
