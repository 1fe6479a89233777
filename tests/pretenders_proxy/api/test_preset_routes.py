"""The preset routes HTTP and SMTP share, served in-process: one shape, each kind's own words."""

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from pretenders_proxy.api.app import create_app
from pretenders_proxy.server.runtime import Runtime

HTTP = ("/api/v1/presets", {"status": 201, "body": "made"}, "preset")
SMTP = ("/api/v1/smtp/presets", {"action": "reject", "recipient": "@x"}, "SMTP preset")


@pytest.fixture
async def client() -> AsyncIterator[TestClient[object, object]]:
    async with TestClient(TestServer(create_app(Runtime()))) as running:
        yield running


@pytest.mark.parametrize(("path", "preset", "noun"), [HTTP, SMTP])
async def test_add_list_get_and_delete_one(
    client: TestClient[object, object], path: str, preset: dict[str, object], noun: str
) -> None:
    added = await client.post(path, params={"session": "s"}, json=preset)
    assert added.status == 201
    shown = await added.json()
    assert shown["session"] == "s"
    assert await (await client.get(path, params={"session": "s"})).json() == [shown]
    one = f"{path}/{shown['id']}"
    assert await (await client.get(one)).json() == shown
    assert (await client.delete(one)).status == 204
    gone = await client.get(one)
    assert gone.status == 404
    message = f"no {noun} {shown['id']} (unknown, deleted or used up)"
    assert (await gone.json()) == {"error": message}


@pytest.mark.parametrize(("path", "preset", "noun"), [HTTP, SMTP])
async def test_clear_drops_the_sessions_presets_only(
    client: TestClient[object, object], path: str, preset: dict[str, object], noun: str
) -> None:
    for session in ("a", "a", "b"):
        assert (await client.post(path, params={"session": session}, json=preset)).status == 201
    assert (await client.delete(path, params={"session": "a"})).status == 204
    assert await (await client.get(path, params={"session": "a"})).json() == []
    assert len(await (await client.get(path, params={"session": "b"})).json()) == 1
    missing = await client.get(path, params={"session": "nobody"})
    assert missing.status == 404


@pytest.mark.parametrize("path", [HTTP[0], SMTP[0]])
async def test_a_preset_that_cannot_work_is_400_and_opens_no_session(
    client: TestClient[object, object], path: str
) -> None:
    refused = await client.post(path, params={"session": "new"}, json={"times": 0})
    assert refused.status == 400
    assert "0 times" in (await refused.json())["error"]
    assert (await client.get("/api/v1/sessions/new")).status == 404
