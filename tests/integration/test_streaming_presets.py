"""Presets that stream: a reply given as chunks with delays reaches an SSE client event by event,
with the gaps, through the proxy and on /mockhttp/ alike; history shows the joined body."""

import asyncio
from itertools import pairwise
from typing import Any

import aiohttp
import pytest
import requests

from pretenders_proxy.testing.launcher import RunningServer
from tests.integration.replies import BOTH_REPLY_PATHS

pytestmark = BOTH_REPLY_PATHS

GAP = 0.25
CHUNKS = [
    {"data": 'data: {"token": "Hel"}\n\n'},
    {"data": 'data: {"token": "lo"}\n\n', "after": GAP},
    {"data_base64": "ZGF0YTogW0RPTkVdCgo=", "after": GAP},  # data: [DONE]\n\n
]
EVENTS = [b'data: {"token": "Hel"}\n\n', b'data: {"token": "lo"}\n\n', b"data: [DONE]\n\n"]
PRESET: dict[str, Any] = {
    "rule": "POST /v1/chat/completions",
    "headers": {"Content-Type": "text/event-stream"},
    "chunks": CHUNKS,
}


def add(control: str, session: str, preset: dict[str, Any]) -> requests.Response:
    return requests.post(
        f"{control}/api/v1/presets", params={"session": session}, json=preset, timeout=10
    )


async def events(url: str, proxy: str | None = None) -> list[tuple[float, bytes]]:
    """Each event as an SSE client reads it: (seconds after the request, event)."""
    loop = asyncio.get_running_loop()
    found = []
    async with aiohttp.ClientSession() as client:
        start = loop.time()
        async with client.post(url, json={"stream": True}, proxy=proxy) as answer:
            assert answer.status == 200
            assert answer.headers["Content-Type"] == "text/event-stream"
            while event := await answer.content.readuntil(b"\n\n"):
                found.append((loop.time() - start, event))
    return found


def check_paced(seen: list[tuple[float, bytes]]) -> None:
    assert [event for _, event in seen] == EVENTS
    gaps = [later - earlier for (earlier, _), (later, _) in pairwise(seen)]
    assert all(abs(gap - GAP) <= GAP * 0.2 for gap in gaps), gaps


@pytest.mark.parametrize("edge", ["proxy", "mockhttp"])
async def test_a_streamed_preset_reaches_an_sse_client_event_by_event(
    edge: str, server: RunningServer, control: str, session: str, proxy: str
) -> None:
    added = add(control, session, PRESET)
    assert added.status_code == 201, added.text
    assert [chunk["after"] for chunk in added.json()["chunks"]] == [0, GAP, GAP]
    if edge == "proxy":
        seen = await events("http://llm.test/v1/chat/completions", proxy)
    else:
        seen = await events(f"{control}/mockhttp/{session}/v1/chat/completions")
    check_paced(seen)
    async with aiohttp.ClientSession() as client:
        listed = await client.get(f"{control}/api/v1/requests", params={"session": session})
        (entry,) = await listed.json()
    assert entry["source"] == "preset" and entry["response"]["body"] == b"".join(EVENTS).decode()


def test_body_and_chunks_together_are_refused_naming_both(control: str, session: str) -> None:
    refused = add(control, session, {**PRESET, "text": "whole"})
    assert refused.status_code == 400
    assert "give one reply body: text or chunks, not both" in refused.text
    refused = add(control, session, {**PRESET, "body": "eA=="})
    assert refused.status_code == 400 and "body or chunks, not both" in refused.text


async def test_a_client_leaving_a_streamed_preset_leaves_the_server_serving(
    server: RunningServer, control: str, session: str, proxy: str
) -> None:
    assert add(control, session, PRESET).status_code == 201
    before = len(server.output)
    for url, via in [
        ("http://llm.test/v1/chat/completions", proxy),
        (f"{control}/mockhttp/{session}/v1/chat/completions", None),
    ]:
        async with aiohttp.ClientSession() as client, client.post(url, proxy=via) as answer:
            assert await answer.content.readuntil(b"\n\n") == EVENTS[0]
    await asyncio.sleep(GAP * 3)
    async with aiohttp.ClientSession() as client, client.get(f"{control}/health") as up:
        assert up.status == 200
    check_paced(await events(f"{control}/mockhttp/{session}/v1/chat/completions"))
    printed = "\n".join(server.output[before:])  # the server is shared: only what came now
    assert "Traceback" not in printed and "crashed" not in printed
