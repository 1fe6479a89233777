"""The calls' driver: requests sent in order on either client, answers fed back, lists paged."""

from typing import Any

import httpx
import pytest

from pretenders_proxy.client.sansio import Call, Steps, adrive, checked, drive, fetch, pages
from pretenders_proxy.errors import APIError


def two_calls() -> Steps[list[Any]]:
    first = yield from fetch(Call("GET", "/one", {"a": 1}))
    second = yield from fetch(Call("POST", "/two", json=first, timeout=5))
    return [first, second]


def echo(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/one":
        return httpx.Response(200, json={"from": "one"})
    assert request.extensions["timeout"]["read"] == 5  # the call's own timeout
    return httpx.Response(200, content=request.content)


def test_a_call_runs_the_same_on_the_sync_and_the_async_client() -> None:
    transport = httpx.MockTransport(echo)
    with httpx.Client(base_url="http://x.test", transport=transport) as http:
        assert drive(http, two_calls()) == [{"from": "one"}, {"from": "one"}]


async def test_the_async_driver_awaits_each_request() -> None:
    transport = httpx.MockTransport(echo)
    async with httpx.AsyncClient(base_url="http://x.test", transport=transport) as http:
        assert await adrive(http, two_calls()) == [{"from": "one"}, {"from": "one"}]


def test_a_list_is_followed_page_after_page_without_any_io() -> None:
    steps = pages("/items", {"session": "s"})
    assert next(steps) == Call("GET", "/items", {"session": "s", "limit": 1000})
    following = httpx.Response(200, json=[1, 2], headers={"X-Next-Cursor": "c2"})
    assert steps.send(following) == Call(
        "GET", "/items", {"session": "s", "limit": 1000, "cursor": "c2"}
    )
    with pytest.raises(StopIteration) as done:
        steps.send(httpx.Response(200, json=[3]))
    assert done.value.value == [1, 2, 3]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (httpx.Response(404, json={"error": "no such session"}), "404: no such session"),
        (httpx.Response(502, text="bad gateway"), "502: bad gateway"),
    ],
)
def test_a_refusal_is_an_api_error_with_the_servers_message(
    answer: httpx.Response, message: str
) -> None:
    with pytest.raises(APIError, match=f"^{message}$"):
        checked(answer)
    assert checked(httpx.Response(204)).status_code == 204
