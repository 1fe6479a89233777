"""The web UI: its static files (`/` and `/ui/...`), which hold no data and need no token.

The page reads everything through the control API, sending the token the user gives it.
"""

import mimetypes
from importlib import resources

from aiohttp import web

from pretenders_proxy.api.router import problem

FILES = resources.files("pretenders_proxy") / "ui"
PREFIX = "/ui/"
# The page runs only its own scripts and talks only to this server; mail HTML is shown in a
# sandboxed srcdoc frame, which inherits this policy on top of its own.
POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def is_public(path: str) -> bool:
    """The UI's own files, served without a token (they hold no data)."""
    return path == "/" or path.startswith(PREFIX)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", index)
    app.router.add_get(PREFIX + "{name}", asset)


async def index(request: web.Request) -> web.Response:
    return _file("index.html")


async def asset(request: web.Request) -> web.Response:
    return _file(request.match_info["name"])


def _file(name: str) -> web.Response:
    found = FILES / name
    if name.startswith(".") or "/" in name or "\\" in name or not found.is_file():
        return problem(404, f"the UI has no file {name!r}")
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if name.endswith(".js"):
        kind = "text/javascript"  # some systems' mime tables still say application/x-javascript
    return web.Response(body=found.read_bytes(), content_type=kind, headers=HEADERS)
