"""The control API application, served in-process: /api/ is /api/v1/, and a token guards all but
the mocks and the UI's files."""

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from pretenders_proxy.api.app import create_app
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.settings import Settings

type Client = TestClient[object, object]


async def serving(settings: Settings) -> AsyncIterator[Client]:
    async with TestClient(TestServer(create_app(Runtime(settings)))) as client:
        yield client


@pytest.fixture
async def client() -> AsyncIterator[Client]:
    async for running in serving(Settings()):
        yield running


@pytest.fixture
async def guarded() -> AsyncIterator[Client]:
    async for running in serving(Settings(token="s3cret")):
        yield running


async def test_every_v1_route_is_also_served_unversioned(client: Client) -> None:
    versioned = await (await client.get("/api/v1/sessions")).json()
    assert await (await client.get("/api/sessions")).json() == versioned
    assert [s["name"] for s in versioned] == ["default"]
    assert (await client.get("/api/openapi.json")).status == 200


async def test_a_token_guards_the_api_but_not_the_mocks_or_the_ui(guarded: Client) -> None:
    refused = await guarded.get("/api/v1/sessions")
    assert refused.status == 401 and refused.headers["WWW-Authenticate"] == "Bearer"
    assert await refused.json() == {"error": "this control API needs Authorization: Bearer <token>"}
    wrong = await guarded.get("/health", headers={"Authorization": "Bearer other"})
    assert wrong.status == 401
    allowed = await guarded.get("/health", headers={"Authorization": "Bearer s3cret"})
    assert allowed.status == 200
    assert (await guarded.get("/")).status == 200
    assert (await guarded.get("/mockhttp/nobody/x")).status == 404  # the mock answers, not 401


@pytest.mark.parametrize("given", ["bearer s3cret", "BEARER s3cret", "Bearer  s3cret"])
async def test_the_scheme_name_is_case_insensitive(guarded: Client, given: str) -> None:
    assert (await guarded.get("/health", headers={"Authorization": given})).status == 200


@pytest.mark.parametrize("given", ["Basic s3cret", "Bearers3cret", "s3cret", "Bearer s3cret2"])
async def test_anything_but_bearer_and_the_token_is_refused(guarded: Client, given: str) -> None:
    assert (await guarded.get("/health", headers={"Authorization": given})).status == 401


async def test_the_gate_comes_before_the_token(guarded: Client) -> None:
    foreign = {"Host": "evil.example", "Authorization": "Bearer s3cret"}
    assert (await guarded.get("/health", headers=foreign)).status == 403
    cross = {"Origin": "http://evil.example", "Authorization": "Bearer s3cret"}
    refused = await guarded.post("/api/v1/sessions", json={}, headers=cross)
    assert refused.status == 403 and "origin http://evil.example" in (await refused.json())["error"]
