"""The request journal: list (and wait for) requests, verify counts, misses, unused presets."""

import heapq
import itertools
import logging
import re
from collections import deque
from collections.abc import Callable, Iterator, Sequence

from aiohttp import web

from pretenders_proxy.api import cassette_views, paging, views
from pretenders_proxy.api.router import (
    Param,
    Router,
    json_response,
    query_float,
    read_model,
    runtime_of,
    sessions_of,
    whole,
)
from pretenders_proxy.api.schemas import RequestOut, VerifyIn, VerifyOut
from pretenders_proxy.api.v1 import DROPPED, DROPPED_HEADER
from pretenders_proxy.api.waiting import client_gone, wait_seconds, wait_until
from pretenders_proxy.errors import BadRequestError, ConflictError, NotFoundError
from pretenders_proxy.matching.budget import Budget
from pretenders_proxy.matching.modes import Mode
from pretenders_proxy.matching.verify import verify
from pretenders_proxy.model.journal import Entry, Source
from pretenders_proxy.model.pattern import Pattern
from pretenders_proxy.store import Session
from pretenders_proxy.store.sessions import DEFAULT_SESSION

router = Router("requests")
logger = logging.getLogger(__name__)

SEEN_SHOWN = 20
"""Requests a timed-out wait lists (the latest that matched): a 408 stays small."""

SESSION = Param("session", "Only this session's requests (all sessions when absent).")
FILTERS = [
    SESSION,
    Param("method", "Only this method (GET, POST...)."),
    Param("host", "Only requests to this host."),
    Param("path", "Only requests whose path matches this regex (re.search)."),
    Param("source", "Only answers from preset, cassette, upstream, miss or error."),
    Param("since", "Only requests with an id greater than this one.", "integer"),
    Param("wait", "Seconds to wait until `count` matching requests arrived (long-poll).", "number"),
    Param("count", "With wait: how many matching requests to wait for (default 1).", "integer"),
]


@router.route(
    "GET",
    "/api/v1/requests",
    summary="Requests received, oldest first, a page at a time; with wait=<s>, answer as soon "
    "as count=<n> of them arrived (408 with the latest that did if they do not)",
    response=list[RequestOut],
    query=[*FILTERS, *paging.PAGE_QUERY],
    errors=[400, 408, 409],
    headers=[*paging.PAGE_HEADERS, DROPPED_HEADER],
)
async def list_requests(request: web.Request) -> web.Response:
    budget = Budget(runtime_of(request).settings.regex_timeout)
    keep = _filter(request, budget)
    sessions = recorded(request)
    page = paging.page_of(request, "requests")
    wait = wait_seconds(query_float(request, "wait"))
    wanted = _count(request)

    def matching() -> Iterator[Entry]:
        return filter(keep, _after(sessions, page.after))

    def enough() -> bool:
        return sum(1 for _ in itertools.islice(matching(), wanted)) >= wanted

    store = runtime_of(request).store
    arrived = await wait_until(store.events, enough, wait, client_gone(request))
    headers = {DROPPED: str(sum(s.history.dropped for s in sessions))}
    if wait and not arrived:
        latest = deque(matching(), maxlen=SEEN_SHOWN)
        count = sum(1 for _ in matching())
        message = f"waited {wait:g}s for {wanted} matching request(s), {count} arrived" + (
            f" (the latest {SEEN_SHOWN} are under 'seen')" if count > SEEN_SHOWN else ""
        )
        body = {"error": message, "seen": [views.entry(e) for e in latest]}
        _report(budget, "path filter")
        return json_response(body, status=408, headers=headers)
    answer = paging.answer(request, page, matching(), _id, views.entry, headers)
    _report(budget, "path filter")
    return answer


@router.route(
    "GET", "/api/v1/requests/{id}", summary="One request", response=RequestOut, errors=[404]
)
async def get_request(request: web.Request) -> web.Response:
    wanted = request.match_info["id"]
    for session in runtime_of(request).store.sessions.values():
        for entry in session.history:
            if str(entry.id) == wanted:
                return json_response(views.entry(entry))
    raise NotFoundError(f"no request {wanted} (unknown, deleted or past the history limit)")


@router.route(
    "DELETE",
    "/api/v1/requests",
    summary="Forget the requests of a session (or all)",
    query=[SESSION],
    status=204,
)
async def clear_requests(request: web.Request) -> web.Response:
    for session in sessions_of(request):
        await runtime_of(request).state.clear_history(session)
    return web.Response(status=204)


@router.route(
    "GET",
    "/api/v1/misses",
    summary="Requests nothing answered, oldest first, a page at a time",
    response=list[RequestOut],
    query=[SESSION, *paging.PAGE_QUERY],
    headers=paging.PAGE_HEADERS,
    errors=[409],
)
async def list_misses(request: web.Request) -> web.Response:
    page = paging.page_of(request, "misses")
    entries = _after(recorded(request), page.after)
    misses = (e for e in entries if e.source is Source.MISS)
    return paging.answer(request, page, misses, _id, views.entry)


@router.route(
    "POST",
    "/api/v1/verify",
    summary="Check that a session received requests matching a rule a number of times "
    "(optionally waiting for it); 409 explains what matched and the nearest miss when not "
    "(or that the session keeps no history)",
    body=VerifyIn,
    response=VerifyOut,
    query=[SESSION],
    errors=[400, 404, 409],
)
async def verify_requests(request: web.Request) -> web.Response:
    check = await read_model(request, VerifyIn)
    rule, count = check.to_rule(), check.to_count()
    runtime = runtime_of(request)
    store = runtime.store
    name = check.session or request.query.get("session") or DEFAULT_SESSION
    session = with_history(store.get(name))
    # one budget for every check while waiting: a regex that timed out on a request is not
    # tried on it again, and after a few time-outs the rule's regexes are not tried at all
    budget = Budget(runtime.settings.regex_timeout)

    def holds() -> bool:
        return verify(rule, list(session.history), count, budget).ok

    await wait_until(store.events, holds, wait_seconds(check.wait), client_gone(request))
    verdict = verify(rule, list(session.history), count, budget)
    _report(budget, f"verified rule ({rule.describe()})")
    body = {
        "ok": verdict.ok,
        "count": len(verdict.matched),
        "matched": [e.id for e in verdict.matched],
        "dropped": session.history.dropped,
    }
    if verdict.explanation is not None:
        return json_response(dict(body, error=verdict.explanation), status=409)
    return json_response(body)


@router.route(
    "GET",
    "/api/v1/unused",
    summary="Presets that never served and recordings that never answered (in replay)",
    query=[SESSION],
)
async def list_unused(request: web.Request) -> web.Response:
    sessions = sessions_of(request)
    presets = [views.preset(p, s.name) for s in sessions for p in s.presets if p.served == 0]
    recordings = [
        cassette_views.recording(r, s.name)
        for s in sessions
        if s.playback.mode is Mode.REPLAY
        for r in s.playback.tape.unplayed()
    ]
    return json_response({"presets": presets, "recordings": recordings})


def recorded(request: web.Request) -> list[Session]:
    """The sessions `?session=` names (with_history), or every live one that keeps history."""
    if "session" in request.query:
        return [with_history(session) for session in sessions_of(request)]
    return [session for session in sessions_of(request) if session.record_history]


def with_history(session: Session) -> Session:
    """`session`, unless it keeps no history: then a 409 saying so, never an empty list that
    would pass a check for misses (issue 20)."""
    if session.record_history:
        return session
    raise ConflictError(
        f"session {session.name!r} keeps no history (record_history: false): its requests "
        "are answered and counted (requests_seen) but not kept, so they cannot be listed or "
        "verified; POST /api/v1/sessions with record_history true records from then on"
    )


def _after(sessions: Sequence[Session], after: int) -> Iterator[Entry]:
    """The entries of `sessions` with an id above `after`, in id order (each history is)."""
    return heapq.merge(*(s.history.after(after) for s in sessions), key=_id)


def _id(entry: Entry) -> int:
    return entry.id


def _count(request: web.Request) -> int:
    return whole("count", request.query.get("count", "1"))


def _report(budget: Budget, what: str) -> None:
    """Log, once per call, that a regex given to it ran out of time."""
    if budget.ran_out:
        logger.warning(
            "the %s timed out: its regex ran over %g ms on %d request(s), counted as no match",
            what,
            budget.seconds * 1000,
            len(budget.ran_out),
        )


def _filter(request: web.Request, budget: Budget) -> Callable[[Entry], bool]:
    query = request.query
    method, host, source = query.get("method"), query.get("host"), query.get("source")
    if source is not None and source not in set(Source):
        raise BadRequestError(f"source={source!r} is not one of {', '.join(Source)}")
    since = query.get("since", "0")
    if not (since.isascii() and since.isdigit()):
        raise BadRequestError(f"since={since!r} is not a request id")
    try:
        path = Pattern(query["path"]) if query.get("path") else None
    except (re.error, RecursionError, OverflowError) as e:
        raise BadRequestError(f"path={query['path']!r} is not a valid regex: {e}") from e

    def keep(entry: Entry) -> bool:
        seen = entry.request
        return (
            entry.id > int(since)
            and (method is None or seen.method == method.upper())
            and (host is None or seen.host == host)
            and (source is None or entry.source == source)
            and (path is None or budget.search(path, seen.path.decode("latin-1")) is True)
        )

    return keep
