"""Routes answer the errors they know with a 4xx naming the problem, and anything else with a
logged 500; query parameters are checked before they are used."""

import json
import logging
import re

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from pydantic import BaseModel

from pretenders_proxy.api.router import (
    MAX_WHOLE,
    Param,
    Router,
    check_query,
    guarded,
    query_whole,
    whole,
)
from pretenders_proxy.errors import (
    ConfigError,
    ListenError,
    NotFoundError,
    StoreUnavailableError,
    TooManySessionsError,
)


class Count(BaseModel):
    count: int


def failing(error: Exception) -> web.Response:
    raise error


@pytest.mark.parametrize(
    ("error", "status", "message"),
    [
        (ConfigError("bad regex"), 400, "bad regex"),
        (NotFoundError("no session named 'x'"), 404, "no session named 'x'"),
        (ListenError("no free port"), 503, "no free port"),
        (
            StoreUnavailableError("the shared store is unreachable"),
            503,
            "the shared store is unreachable",
        ),
        (TooManySessionsError("10 sessions are live"), 429, "10 sessions are live"),
        (RuntimeError("bug"), 500, "internal error: RuntimeError('bug') (please report it)"),
    ],
)
async def test_errors_become_statuses_with_the_message(
    error: Exception, status: int, message: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return failing(error)

    with caplog.at_level(logging.ERROR):
        answer = await guarded(handler, plain=False, fresh=False)(make_mocked_request("GET", "/x"))
    assert answer.status == status
    assert isinstance(answer, web.Response) and answer.text is not None
    assert json.loads(answer.text) == {"error": message}
    assert ("control API: GET /x failed" in caplog.text) is (status == 500)


async def test_a_bad_body_names_the_field_and_plain_errors_are_text() -> None:
    async def handler(request: web.Request) -> web.Response:
        Count.model_validate({"count": "many"})
        return web.Response()

    answer = await guarded(handler, plain=True, fresh=False)(make_mocked_request("POST", "/x"))
    assert isinstance(answer, web.Response) and answer.status == 400
    assert answer.text == (
        "invalid request body: count: Input should be a valid integer, "
        "unable to parse string as an integer\n"
    )


def test_query_whole_takes_a_default_and_refuses_what_is_no_whole_number() -> None:
    request = make_mocked_request("GET", "/x?limit=5&offset=&bad=-1")
    assert query_whole(request, "limit", 100) == 5
    assert query_whole(request, "offset", 0) == 0
    with pytest.raises(ValueError, match="bad='-1' is not a whole number, 0 or more"):
        query_whole(request, "bad", 0)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("10617394364086208512", "is too large (at most 999999999999999999)"),
        ("1000000000000000000", "is too large"),
        ("\u00b2", "is not a whole number, 0 or more"),  # str.isdigit() says yes; int() no
    ],
)
def test_query_whole_refuses_numbers_past_what_counts_can_take(value: str, problem: str) -> None:
    request = make_mocked_request("GET", "/x", headers={})
    request = request.clone(rel_url=request.rel_url.with_query(count=value))
    with pytest.raises(ValueError, match=re.escape(problem)):
        query_whole(request, "count", 1)
    assert whole("count", "000999999999999999999") == MAX_WHOLE


def test_unknown_query_parameters_are_refused_naming_the_known_ones() -> None:
    known = [Param("session", "s"), Param("limit", "l")]
    check_query(make_mocked_request("GET", "/x?session=a"), known)
    with pytest.raises(ValueError, match="unknown query parameter sesion; this route takes limit"):
        check_query(make_mocked_request("GET", "/x?sesion=a"), known)


def test_the_router_keeps_routes_in_order_with_their_documentation() -> None:
    router = Router("things")

    async def handler(request: web.Request) -> web.Response:
        return web.Response()

    assert router.route("GET", "/a", summary="A", errors=[404])(handler) is handler
    router.route("PUT", "/b", summary="B", status=204)(handler)
    (a, b) = router.routes
    assert (a.method, a.path, a.summary, a.tag, a.errors) == ("GET", "/a", "A", "things", (404,))
    assert (b.status, b.plain_errors) == (204, False)


async def test_a_v1_route_refuses_a_query_parameter_it_does_not_declare() -> None:
    router = Router("things")

    async def handler(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    query = [Param("session", "s")]
    router.route("GET", "/api/v1/things", summary="T", query=query, fresh=False)(handler)
    router.route("GET", "/things", summary="1.4: anything goes", fresh=False)(handler)
    checked, free = (route.handler for route in router.routes)
    refused = await checked(make_mocked_request("GET", "/api/v1/things?session=a&limit=1"))
    assert isinstance(refused, web.Response) and refused.status == 400
    assert json.loads(refused.text or "") == {
        "error": "unknown query parameter limit; this route takes session"
    }
    assert (await checked(make_mocked_request("GET", "/api/v1/things?session=a"))).status == 200
    assert (await free(make_mocked_request("GET", "/things?limit=1"))).status == 200
    assert checked.__name__ == "handler"  # the OpenAPI operation keeps its name
