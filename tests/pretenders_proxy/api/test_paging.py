"""Pages of v1 lists: what a page request may say, how a page ends (count or bytes) and names
the next one; an unpaged list written in chunks."""

import json
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer, make_mocked_request

from pretenders_proxy.api import paging
from pretenders_proxy.api.paging import Page, answer, cursor, page_of, whole


def item(number: int, size: int = 0) -> dict[str, Any]:
    return {"id": number, "pad": "x" * size}


def test_a_page_request_defaults_to_the_first_page_of_100() -> None:
    assert page_of(make_mocked_request("GET", "/l"), "things") == Page("things", 100, 0)


def test_a_cursor_names_its_list_and_where_the_next_page_starts() -> None:
    token = cursor("things", 41)
    request = make_mocked_request("GET", f"/l?limit=1000&cursor={token}")
    assert page_of(request, "things") == Page("things", 1000, 41)
    assert "41" not in token  # opaque: no one reads a position in it
    with pytest.raises(ValueError, match="is not a cursor of this list"):
        page_of(request, "others")


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "limit=-1", "limit=x", "limit=1e3"])
def test_a_limit_out_of_range_is_refused(query: str) -> None:
    with pytest.raises(ValueError, match="is out of range; give 1 to 1000"):
        page_of(make_mocked_request("GET", f"/l?{query}"), "things")


@pytest.mark.parametrize("token", ["!!", "dGhpbmdzOng", "dGhpbmdz", "\u00e9"])
def test_a_cursor_that_is_not_one_is_refused(token: str) -> None:
    with pytest.raises(ValueError, match="take it from the X-Next-Cursor header"):
        page_of(make_mocked_request("GET", f"/l?cursor={token}"), "things")


def test_a_page_stops_at_its_limit_and_names_the_next_page() -> None:
    request = make_mocked_request("GET", "/api/v1/things?session=a&limit=2")
    page = page_of(request, "things")
    shown = answer(request, page, [item(n) for n in (3, 5, 8)], lambda i: i["id"], dict, {"X": "1"})
    assert [i["id"] for i in json.loads(shown.text or "")] == [3, 5]
    following = cursor("things", 5)
    assert shown.headers["X-Next-Cursor"] == following and shown.headers["X"] == "1"
    assert shown.headers["Link"] == (
        f'</api/v1/things?session=a&limit=2&cursor={following}>; rel="next"'
    )


def test_the_last_page_names_none() -> None:
    request = make_mocked_request("GET", "/l")
    shown = answer(request, page_of(request, "t"), [item(1)], lambda i: i["id"], dict)
    assert json.loads(shown.text or "") == [item(1)]
    assert "X-Next-Cursor" not in shown.headers and "Link" not in shown.headers


def test_a_page_ends_early_past_its_bytes_but_holds_one_item_at_least() -> None:
    request = make_mocked_request("GET", "/l?limit=1000")
    big = paging.PAGE_BYTES // 3
    items = [item(n, big) for n in range(1, 10)]
    shown = answer(request, page_of(request, "t"), items, lambda i: i["id"], dict)
    assert [i["id"] for i in json.loads(shown.text or "")] == [1, 2, 3]
    huge = [item(1, 2 * paging.PAGE_BYTES), item(2)]
    alone = answer(request, page_of(request, "t"), huge, lambda i: i["id"], dict)
    assert [i["id"] for i in json.loads(alone.text or "")] == [1]
    assert alone.headers["X-Next-Cursor"] == cursor("t", 1)


async def listing(count: int, size: int) -> tuple[str | None, Any]:
    """What `whole` answers over a real connection for `count` items of `size` bytes."""

    async def handler(request: web.Request) -> web.StreamResponse:
        return await whole(request, (item(n, size) for n in range(count)), dict)

    app = web.Application()
    app.router.add_get("/", handler)
    async with TestClient(TestServer(app)) as client:
        got = await client.get("/")
        return got.headers.get("Transfer-Encoding"), json.loads(await got.read())


async def test_a_short_unpaged_list_is_one_answer_with_its_length() -> None:
    assert await listing(3, 10) == (None, [item(n, 10) for n in range(3)])
    assert await listing(0, 0) == (None, [])


async def test_a_long_unpaged_list_is_written_in_chunks() -> None:
    size = paging.CHUNK_BYTES // 4
    assert await listing(10, size) == ("chunked", [item(n, size) for n in range(10)])
    assert await listing(4, paging.CHUNK_BYTES // 2) == (
        "chunked",
        [item(n, paging.CHUNK_BYTES // 2) for n in range(4)],
    )
