"""`/api/v1/cassettes`: a session's cassettes, and their exchanges a page at a time."""

from urllib.parse import urlencode

from aiohttp import web

from pretenders_proxy.api import cassette_views
from pretenders_proxy.api.cassette_schemas import CassetteOut, CassettePageOut
from pretenders_proxy.api.router import (
    Param,
    Router,
    json_response,
    query_whole,
    session_of,
)
from pretenders_proxy.api.v1 import SESSION
from pretenders_proxy.cassette import pages, reading
from pretenders_proxy.cassette.files import resolve
from pretenders_proxy.errors import BadRequestError, NotFoundError
from pretenders_proxy.store import Session

router = Router("cassettes")

EXCHANGES = "/api/v1/cassettes/exchanges"
DEFAULT_LIMIT = 50
PAGE_QUERY = [
    SESSION,
    Param("cassette", "The cassette, as the session's mode names it.", required=True),
    Param("offset", "How many exchanges to pass over first (default 0).", "integer"),
    Param("limit", f"Exchanges in the page, 1 to {pages.MAX_LIMIT} (default 50).", "integer"),
]


@router.route(
    "GET",
    "/api/v1/cassettes",
    summary="The cassettes a session replays or records to",
    response=list[CassetteOut],
    query=[SESSION],
    errors=[400, 404],
)
async def list_cassettes(request: web.Request) -> web.Response:
    session = session_of(request)
    config = session.playback.config
    return json_response(
        [
            {
                "session": session.name,
                "path": path,
                "replaying": path in config.replaying,
                "recording": path == config.recording,
                "exchanges_url": _page_url(session.name, path, 0, DEFAULT_LIMIT),
            }
            for path in config.cassettes
        ]
    )


@router.route(
    "GET",
    EXCHANGES,
    summary="One page of a cassette's exchanges, in recorded order, with the total and the "
    "next page's address",
    response=CassettePageOut,
    query=PAGE_QUERY,
    errors=[400, 404],
)
async def list_exchanges(request: web.Request) -> web.Response:
    session = session_of(request)
    path = _cassette(request, session)
    offset = query_whole(request, "offset", 0)
    limit = query_whole(request, "limit", DEFAULT_LIMIT)
    if not 1 <= limit <= pages.MAX_LIMIT:
        raise BadRequestError(f"limit={limit} is out of range; give 1 to {pages.MAX_LIMIT}")
    found = reading.page(resolve(path), offset, limit)
    following = offset + len(found.exchanges)
    return json_response(
        {
            "session": session.name,
            "cassette": path,
            "total": found.total,
            "offset": offset,
            "limit": limit,
            "truncated": found.truncated,
            "exchanges": [
                cassette_views.cassette_exchange(exchange, offset + index)
                for index, exchange in enumerate(found.exchanges, 1)
            ],
            "next": _page_url(session.name, path, following, limit)
            if following < found.total
            else None,
        }
    )


def _cassette(request: web.Request, session: Session) -> str:
    """The `cassette` asked for, which must be one of the session's (no other file is read)."""
    path = request.query.get("cassette")
    if not path:
        raise BadRequestError("query parameter cassette is missing (see GET /api/v1/cassettes)")
    known = session.playback.config.cassettes
    if path not in known:
        raise NotFoundError(
            f"session {session.name!r} has no cassette {path!r}; "
            f"its cassettes: {', '.join(map(repr, known)) or 'none'}"
        )
    return path


def _page_url(session: str, cassette: str, offset: int, limit: int) -> str:
    query = {"session": session, "cassette": cassette, "offset": offset, "limit": limit}
    return f"{EXCHANGES}?{urlencode(query)}"
