"""The v1 mail API: captured mail with filters and long-poll, its parts, raw source, deletion."""

import heapq
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from urllib.parse import quote

from aiohttp import web

from pretenders_proxy.api import mail_views, paging
from pretenders_proxy.api.router import (
    Param,
    Router,
    json_response,
    query_float,
    query_whole,
    runtime_of,
    sessions_of,
)
from pretenders_proxy.api.v1 import DROPPED, DROPPED_HEADER, SESSION
from pretenders_proxy.api.waiting import MAX_WAIT, client_gone, wait_seconds, wait_until
from pretenders_proxy.errors import NotFoundError
from pretenders_proxy.model.mail import Mail
from pretenders_proxy.model.message import parse
from pretenders_proxy.store import Session
from pretenders_proxy.wire.mail import MailOut, MailSummaryOut

router = Router("mail")

SEEN_SHOWN = 20
# A message's parts are the sender's content: never let the browser run it on this origin.
UNTRUSTED = {"Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff"}
MAIL_FILTERS = [
    Param("session", "Only this session's mail (all sessions when absent)."),
    Param("to", "Part of a recipient (envelope RCPT TO, To or Cc), any case."),
    Param("from", "Part of the sender (envelope MAIL FROM or From), any case."),
    Param("subject", "Part of the decoded subject, any case."),
    Param("since", "Only mail with an id greater than this one.", "integer"),
    Param(
        "wait", f"Seconds (up to {MAX_WAIT:g}) to wait for `count` matches (long-poll).", "number"
    ),
    Param("count", "With wait: how many matching mails to wait for (default 1).", "integer"),
]

type Filter = Callable[[Mail], bool]


@router.route(
    "GET",
    "/api/v1/mail",
    summary="Captured mail, oldest first, a page at a time; with wait=<s>, answer as soon as "
    "count=<n> of it matches (408 with the latest that arrived if it does not)",
    response=list[MailSummaryOut],
    query=[*MAIL_FILTERS, *paging.PAGE_QUERY],
    errors=[400, 404, 408],
    headers=[*paging.PAGE_HEADERS, DROPPED_HEADER],
)
async def list_mail(request: web.Request) -> web.Response:
    keep, sessions = mail_filter(request), sessions_of(request)
    page = paging.page_of(request, "mail")
    wait, wanted = wait_seconds(query_float(request, "wait")), query_whole(request, "count", 1)

    def matching() -> Iterator[Mail]:
        return filter(keep, _after(sessions, page.after))

    def enough() -> bool:
        return sum(1 for _ in itertools.islice(matching(), wanted)) >= wanted

    store = runtime_of(request).store
    arrived = await wait_until(store.events, enough, wait, client_gone(request))
    headers = {DROPPED: str(sum(s.inbox.dropped for s in sessions))}
    if wait and not arrived:
        matched = sum(1 for _ in matching())
        return _timed_out(request, sessions, f"{wait:g}s for {wanted}", matched, headers)
    return paging.answer(request, page, matching(), _id, mail_views.mail_summary, headers)


@router.route(
    "GET", "/api/v1/mail/{id}", summary="One mail, parsed", response=MailOut, errors=[404]
)
async def get_mail(request: web.Request) -> web.Response:
    return json_response(mail_views.mail_detail(_mail(request)[1]))


@router.route(
    "GET", "/api/v1/mail/{id}/raw", summary="The message as received (.eml)", errors=[404]
)
async def raw_mail(request: web.Request) -> web.Response:
    mail = _mail(request)[1]
    headers = UNTRUSTED | {"Content-Disposition": _disposition(f"mail-{mail.id}.eml")}
    return web.Response(body=mail.content, content_type="message/rfc822", headers=headers)


@router.route(
    "GET",
    "/api/v1/mail/{id}/attachments/{n}",
    summary="Download an attachment (n as listed in the mail, from 0)",
    errors=[404],
)
async def get_attachment(request: web.Request) -> web.Response:
    mail, position = _mail(request)[1], request.match_info["n"]
    attachments = parse(mail.content).attachments
    if not (position.isascii() and position.isdigit()) or int(position) >= len(attachments):
        raise NotFoundError(f"mail {mail.id} has {len(attachments)} attachments, no {position}")
    part = attachments[int(position)]
    name = part.filename or f"attachment-{position}"
    headers = UNTRUSTED | {"Content-Disposition": _disposition(name)}
    return web.Response(body=part.payload, content_type=part.content_type, headers=headers)


@router.route("DELETE", "/api/v1/mail/{id}", summary="Delete one mail", errors=[404], status=204)
async def delete_mail(request: web.Request) -> web.Response:
    session, mail = _mail(request)
    await runtime_of(request).state.remove_mail(session, mail.id)
    return web.Response(status=204)


@router.route(
    "DELETE",
    "/api/v1/mail",
    summary="Delete the mail of a session (or all)",
    query=[SESSION],
    status=204,
)
async def clear_mail(request: web.Request) -> web.Response:
    for session in sessions_of(request):
        await runtime_of(request).state.clear_mail(session)
    return web.Response(status=204)


def mail_filter(request: web.Request) -> Filter:
    """The filters of a mail query as one predicate (case-insensitive substrings)."""
    to, sender, subject = (request.query.get(n, "").casefold() for n in ("to", "from", "subject"))
    since = query_whole(request, "since", 0)

    def keep(mail: Mail) -> bool:
        envelope, headline = mail.envelope, mail.headline
        return (
            mail.id > since
            and _has(to, headline.recipients, *envelope.rcpt_tos)
            and _has(sender, headline.sender, envelope.mail_from)
            and _has(subject, headline.subject)
        )

    return keep


def _has(part: str, *texts: str) -> bool:
    return not part or any(part in text.casefold() for text in texts)


def _timed_out(
    request: web.Request,
    sessions: list[Session],
    waited: str,
    matched: int,
    headers: dict[str, str],
) -> web.Response:
    """408 naming the filters, with the latest mail that did arrive, to see why none matched."""
    filters = [f"{n}={request.query[n]!r}" for n in ("to", "from", "subject") if n in request.query]
    where = f" in session {request.query['session']!r}" if "session" in request.query else ""
    there = sum(len(s.inbox) for s in sessions)
    message = (
        f"waited {waited} mail(s) matching {' '.join(filters) or 'anything'}{where}: "
        f"{matched} matched, of {there} there (the latest are under 'seen')"
    )
    latest = heapq.nlargest(SEEN_SHOWN, _after(sessions, 0), key=_id)[::-1]
    shown = [mail_views.mail_summary(m) for m in latest]
    return json_response({"error": message, "seen": shown}, status=408, headers=headers)


def _after(sessions: Sequence[Session], after: int) -> Iterator[Mail]:
    """The mail of `sessions` with an id above `after`, in id order (each inbox is)."""
    return heapq.merge(*(s.inbox.after(after) for s in sessions), key=_id)


def _id(mail: Mail) -> int:
    return mail.id


def _mail(request: web.Request) -> tuple[Session, Mail]:
    wanted = request.match_info["id"]
    if wanted.isascii() and wanted.isdigit():
        for session in runtime_of(request).store.sessions.values():
            if (mail := session.inbox.get(int(wanted))) is not None:
                return session, mail
    raise NotFoundError(f"no mail {wanted} (unknown, deleted or past the history limit)")


def _disposition(filename: str) -> str:
    """`attachment` with the name both as plain ASCII and, exactly, as RFC 5987 UTF-8."""
    ascii_name = re.sub(r'[^\x20-\x7e]|["\\]', "_", filename)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
