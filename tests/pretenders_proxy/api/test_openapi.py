"""The OpenAPI document is made from the routes: parameters, bodies, the errors each may give."""

from aiohttp import web
from pydantic import BaseModel

from pretenders_proxy.api.openapi import ANY_METHOD, document
from pretenders_proxy.api.router import Param, Router


class Thing(BaseModel):
    name: str


async def handler(request: web.Request) -> web.Response:
    return web.Response()


def test_a_path_parameter_makes_404_and_a_body_400_and_413() -> None:
    router = Router("things")
    router.route("GET", "/things/{id:\\d+}", summary="One", response=Thing)(handler)
    router.route("POST", "/things", summary="Add", body=Thing, status=201)(handler)
    paths = document(router.routes)["paths"]
    one = paths["/things/{id}"]["get"]
    assert one["parameters"] == [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    ]
    assert sorted(one["responses"]) == ["200", "401", "404"]
    assert one["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Thing"
    }
    added = paths["/things"]["post"]
    assert sorted(added["responses"]) == ["201", "400", "401", "413"]
    assert added["requestBody"]["required"] is True
    assert one["operationId"] == "test_openapi_handler" and one["tags"] == ["things"]


def test_a_session_query_parameter_may_be_404_and_a_204_has_no_content() -> None:
    router = Router("things")
    session = Param("session", "The session.")
    router.route("DELETE", "/things", summary="Drop", query=[session], status=204)(handler)
    dropped = document(router.routes)["paths"]["/things"]["delete"]
    assert sorted(dropped["responses"]) == ["204", "400", "401", "404"]
    assert dropped["responses"]["204"] == {"description": "OK"}
    assert dropped["parameters"][0] == {
        "name": "session",
        "in": "query",
        "required": False,
        "description": "The session.",
        "schema": {"type": "string"},
    }


def test_plain_errors_are_text_and_any_method_is_every_method() -> None:
    router = Router("1.4", plain_errors=True)
    router.route("*", "/mock/{name}", summary="Mock traffic", errors=[502])(handler)
    methods = document(router.routes)["paths"]["/mock/{name}"]
    assert tuple(methods) == ANY_METHOD
    assert methods["put"]["operationId"] == "test_openapi_handler_put"
    problem = methods["get"]["responses"]["502"]["content"]
    assert problem == {"text/plain": {"schema": {"type": "string"}}}
