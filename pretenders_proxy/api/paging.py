"""Pages of the v1 lists: `limit` and an opaque `cursor` in the query; the body stays a JSON
list, and the next page is named by the `Link: <...>; rel="next"` and `X-Next-Cursor` headers.

A page ends at `limit` items, or earlier once its JSON passes PAGE_BYTES (it holds at least one
item), so that answering a list never holds the one event loop for long (issue 15).
"""

import asyncio
import base64
import binascii
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from pretenders_proxy.api.router import Param
from pretenders_proxy.errors import BadRequestError

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
PAGE_BYTES = 1024 * 1024
"""A page ends once its JSON passes this many bytes, whatever its `limit`."""
NEXT_CURSOR = "X-Next-Cursor"

LIMIT = Param(
    "limit",
    f"Items in the page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}); fewer once the page "
    f"passes {PAGE_BYTES // 1024} KiB of JSON. The next page: the X-Next-Cursor header.",
    "integer",
)
CURSOR = Param(
    "cursor",
    "Where the page starts: the X-Next-Cursor of the page before (opaque; absent: the first).",
)
PAGE_QUERY = (LIMIT, CURSOR)
PAGE_HEADERS = (
    Param(NEXT_CURSOR, "The cursor of the next page; absent on the last page."),
    Param("Link", 'The next page\'s address, as `<...>; rel="next"`; absent on the last page.'),
)


@dataclass(frozen=True, slots=True)
class Page:
    """Which page is asked for: up to `limit` items after the one keyed `after` (0: the first)."""

    kind: str
    limit: int
    after: int


def page_of(request: web.Request, kind: str) -> Page:
    """The page `request` asks for of the list `kind`; BadRequestError naming what is wrong."""
    text = request.query.get("limit", "")
    if text and not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_LIMIT):
        raise BadRequestError(f"limit={text!r} is out of range; give 1 to {MAX_LIMIT}")
    cursor = request.query.get("cursor", "")
    return Page(kind, int(text) if text else DEFAULT_LIMIT, _decode(kind, cursor) if cursor else 0)


def cursor(kind: str, after: int) -> str:
    """The opaque cursor of the page after the item keyed `after` in the list `kind`."""
    return base64.urlsafe_b64encode(f"{kind}:{after}".encode()).decode().rstrip("=")


def _decode(kind: str, text: str) -> int:
    try:
        found, _, key = (
            base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode().partition(":")
        )
    except (binascii.Error, UnicodeDecodeError, ValueError):
        found, key = "", ""
    if found != kind or not (key.isascii() and key.isdigit()):
        raise BadRequestError(
            f"cursor={text!r} is not a cursor of this list; take it from the X-Next-Cursor "
            "header (or the Link) of the page before"
        )
    return int(key)


def answer[T](
    request: web.Request,
    page: Page,
    items: Iterable[T],
    key: Callable[[T], int],
    view: Callable[[T], dict[str, Any]],
    headers: dict[str, str] | None = None,
) -> web.Response:
    """One page of `items` (in key order, all after `page.after`) as a JSON list, naming the next
    page in the headers when there is one."""
    shown: list[str] = []
    size, last = 0, page.after
    for item in items:
        if len(shown) == page.limit or size >= PAGE_BYTES:
            headers = dict(headers or {}) | _next(request, page.kind, last)
            break
        text = json.dumps(view(item))
        shown.append(text)
        size += len(text)
        last = key(item)
    body = "[" + ", ".join(shown) + "]"
    return web.Response(text=body, content_type="application/json", headers=headers)


def _next(request: web.Request, kind: str, last: int) -> dict[str, str]:
    following = cursor(kind, last)
    link = request.rel_url.update_query(cursor=following)
    return {NEXT_CURSOR: following, "Link": f'<{link}>; rel="next"'}


CHUNK_BYTES = 256 * 1024
"""An unpaged list (the 1.4 history) is written this much at a time, the loop let go between."""


async def whole[T](
    request: web.Request, items: Iterable[T], view: Callable[[T], Any]
) -> web.StreamResponse:
    """Every item as one JSON list; a long one is written in chunks, letting other requests in
    between, so listing a full history does not hold the loop (the 1.4 routes have no pages)."""
    chunk: list[str] = []
    size, stream, opening = 0, None, "["
    for item in items:
        text = json.dumps(view(item))
        chunk.append(text)
        size += len(text)
        if size >= CHUNK_BYTES:
            if stream is None:
                stream = web.StreamResponse(headers={"Content-Type": "application/json"})
                await stream.prepare(request)
            await stream.write((opening + ", ".join(chunk)).encode())
            chunk, size, opening = [], 0, ", "
            await asyncio.sleep(0)
    if stream is None:
        return web.Response(text="[" + ", ".join(chunk) + "]", content_type="application/json")
    await stream.write(((opening if chunk else "") + ", ".join(chunk) + "]").encode())
    return stream
