"""AsyncPretenders and AsyncMailbox against a real server: every call, the same errors and
near-miss messages as the sync client, and waits that time out with what arrived."""

import uuid
from pathlib import Path

import aiohttp
import httpx
import pytest

from pretenders_proxy import (
    APIError,
    AsyncMailbox,
    AsyncPretenders,
    Pretenders,
    RecordedRequest,
    WaitTimeoutError,
)
from pretenders_proxy.testing.launcher import RunningServer
from tests.integration.asyncapp import send_mail
from tests.integration.mailing import message
from tests.integration.v1_clients import client


async def test_presets_requests_and_the_session(async_fake: AsyncPretenders) -> None:
    await async_fake.when("GET /hello", host="api.test").reply("hi", headers={"X-A": "1"})
    await async_fake.when("GET /data").reply({"n": 1}, status=201)
    await async_fake.when("GET /raw").reply(b"\x00\xff", times=1)
    proxy = await async_fake.proxy_url()
    async with httpx.AsyncClient(proxy=proxy, trust_env=False) as app:
        answer = await app.get("http://api.test/hello")
        assert (answer.text, answer.headers["x-a"]) == ("hi", "1")
        assert (await app.get("http://x.test/data")).json() == {"n": 1}
        assert (await app.get("http://x.test/raw")).content == b"\x00\xff"
        await app.post("http://x.test/orders?x=1", json={"a": 1})
    assert [p["rule"]["rule"] for p in await async_fake.presets()] == ["GET /hello", "GET /data"]
    seen = await async_fake.requests(method="POST")
    assert [(r.path, r.query, r.json(), r.source) for r in seen] == [
        ("/orders", "x=1", {"a": 1}, "miss")
    ]
    assert all(isinstance(r, RecordedRequest) for r in seen)
    assert [r.path for r in await async_fake.misses()] == ["/orders"]
    assert (await async_fake.info())["name"] == async_fake.name
    listeners = await async_fake.listeners()
    assert proxy == listeners["proxy"].replace("://", f"://{async_fake.name}:x@", 1)
    assert (await async_fake.smtp())[1] == int(listeners["smtp"].rsplit(":", 1)[1])
    await async_fake.clear_presets()
    assert await async_fake.presets() == [] and len(await async_fake.requests()) == 4
    await async_fake.reset()
    assert await async_fake.requests() == []


async def test_a_websocket_preset(async_fake: AsyncPretenders) -> None:
    await async_fake.when("GET /chat", host="chat.test").websocket(send=["welcome"], close=1000)
    proxy = await async_fake.proxy_url()
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect("ws://chat.test/chat", proxy=proxy, autoclose=False) as socket,
    ):
        assert await socket.receive_str() == "welcome"
        assert (await socket.receive()).data == 1000  # the preset closes
    assert await async_fake.assert_requested("GET /chat", host="chat.test", wait=5)


async def test_modes_and_cassettes(async_fake: AsyncPretenders, tmp_path: Path) -> None:
    cassette = tmp_path / "made" / "here.cassette"
    assert (await async_fake.use_cassette(cassette, "ONCE"))["recording_to"] == str(cassette)
    assert (await async_fake.mode())["cassettes"] == [str(cassette)]
    assert (await async_fake.set_mode(mode="mock"))["mode"] == "mock"
    with pytest.raises(APIError) as refused:
        await async_fake.use_cassette(tmp_path / "missing.cassette", "none")
    assert refused.value.status == 400 and "never records" in refused.value.message


async def test_sessions_made_and_deleted(server: RunningServer) -> None:
    async with AsyncPretenders(server.control) as root:
        name = f"async-{uuid.uuid4().hex[:8]}"
        named = await root.session(name, timeout=300)
        async with named:
            assert named.name == name and (await named.info())["name"] == name
            await named.delete()
            with pytest.raises(APIError) as gone:
                await named.info()
    assert gone.value.status == 404


async def test_the_same_near_miss_messages_as_the_sync_client(
    async_fake: AsyncPretenders, server: RunningServer
) -> None:
    await async_fake.when("POST /orders").reply(status=201)
    async with httpx.AsyncClient(proxy=await async_fake.proxy_url(), trust_env=False) as app:
        await app.post("http://x.test/order")
    sync = client(server.control, async_fake.name)
    checks = [
        ("assert_requested", ("POST /orders",), {"times": 1}),
        ("assert_no_misses", (), {}),
        ("assert_all_played", (), {}),
    ]
    messages = []
    for name, args, kwargs in checks:
        with pytest.raises(AssertionError) as by_sync:
            getattr(sync, name)(*args, **kwargs)
        with pytest.raises(AssertionError) as by_async:
            await getattr(async_fake, name)(*args, **kwargs)
        assert type(by_async.value) is type(by_sync.value)
        assert str(by_async.value) == str(by_sync.value)
        messages.append(str(by_async.value))
    assert "request 'POST /order' does not match rule" in messages[0]
    with pytest.raises(APIError, match="invalid regex in rule"):
        await async_fake.when("GET /(").reply("x")


async def test_every_wait_times_out_with_what_arrived(
    async_fake: AsyncPretenders, server: RunningServer
) -> None:
    async with httpx.AsyncClient(proxy=await async_fake.proxy_url(), trust_env=False) as app:
        await app.get("http://x.test/a")
    await send_mail(await async_fake.smtp(), async_fake.name, message("hi", to="erin@x.test"))
    waits = [
        async_fake.wait_for_requests(2, timeout=0.2),
        async_fake.assert_requested("GET /a", times=2, wait=0.2),
        async_fake.mail.wait(to="frank@", timeout=0.2),
    ]
    seen = []
    for wait in waits:
        with pytest.raises(WaitTimeoutError) as caught:
            await wait
        seen.append(caught.value.seen)
    [[request], [matched], [mail]] = seen
    assert (request.path, matched.path, mail.subject) == ("/a", "/a", "hi")
    assert caught.value.status == 408
    sync = client(server.control, async_fake.name)
    with pytest.raises(WaitTimeoutError) as by_sync:
        sync.wait_for_requests(2, timeout=0.2)
    with pytest.raises(WaitTimeoutError) as by_async:
        await async_fake.wait_for_requests(2, timeout=0.2)
    assert str(by_async.value) == str(by_sync.value)


async def test_the_mailbox(async_fake: AsyncPretenders, server: RunningServer) -> None:
    mail = message("Reset", "Go to https://app.test/reset/1 now.", to="erin@x.test")
    mail.add_attachment(b"%PDF-1", maintype="application", subtype="pdf", filename="a.pdf")
    await send_mail(await async_fake.smtp(), async_fake.name, mail)
    got = await async_fake.mail.wait(to="erin@", timeout=5)
    assert got.subject == "Reset" and await async_fake.mail.links(got.id) == got.links
    assert got.links == ["https://app.test/reset/1"]
    assert (await async_fake.mail.get(got.id)).subject == "Reset"
    assert b"Subject: Reset" in await async_fake.mail.raw(got.id)
    assert await async_fake.mail.attachment(got.id, 0) == b"%PDF-1"
    standalone = AsyncMailbox(server.control, session=async_fake.name)  # a client per call
    assert [m.id for m in await standalone.list(to="erin", subject="reset")] == [got.id]
    assert await standalone.list(sender="nobody@") == []
    added = await async_fake.mail.add_preset(action="reject", recipient="^bounce@", code=553)
    assert [p.id for p in await standalone.presets()] == [added.id]
    await async_fake.mail.clear_presets()
    assert await async_fake.mail.presets() == []
    await async_fake.mail.delete(got.id)
    assert await async_fake.mail.list() == []
    await send_mail(await async_fake.smtp(), async_fake.name, message())
    await standalone.delete()
    assert await standalone.list() == []
    with pytest.raises(APIError) as missing:
        await standalone.get(got.id)
    assert missing.value.status == 404


def test_the_async_view_of_a_sync_client_needs_no_closing(server: RunningServer) -> None:
    """`Pretenders.aio`: the same session, usable from one event loop and then another."""
    import asyncio

    with Pretenders(server.control) as root:
        session = root.session()
    with session:
        view = session.aio
        assert view is session.aio and view.name == session.name
        asyncio.run(view.when("GET /x").reply("from the view"))
        assert [p["rule"]["rule"] for p in asyncio.run(view.presets())] == ["GET /x"]
        assert session.presets() == asyncio.run(view.presets())
        session.delete()
