"""An asyncio test whose app runs in the test's own event loop while the test awaits
`wait_for_requests` and `mail.wait`: the app is started only once the wait is under way, so the
wait returns only because the loop kept running the app meanwhile."""

import asyncio
from collections import defaultdict

import httpx

from pretenders_proxy import AsyncPretenders
from tests.integration.asyncapp import fetch, send_mail
from tests.integration.mailing import message


def waits_started(async_fake: AsyncPretenders) -> defaultdict[str, asyncio.Event]:
    """An event per API path, set when the client sends a call there that waits on the server
    (`wait` in its query or, for /verify, in its body)."""
    started: defaultdict[str, asyncio.Event] = defaultdict(asyncio.Event)

    async def sent(request: httpx.Request) -> None:
        if "wait" in request.url.params or b'"wait"' in request.content:
            started[request.url.path].set()

    async_fake.http.event_hooks["request"].append(sent)
    return started


async def test_the_app_runs_in_the_same_loop_while_the_test_waits(
    async_fake: AsyncPretenders,
) -> None:
    await async_fake.when("GET /ping", host="api.test").reply("pong")
    proxy, smtp = await async_fake.proxy_url(), await async_fake.smtp()
    started = waits_started(async_fake)
    order: list[str] = []

    async def app() -> str:
        await started["/api/v1/requests"].wait()  # only once the test is waiting
        order.append("request sent")
        answer = await fetch(proxy, "http://api.test/ping")
        await started["/api/v1/mail"].wait()
        order.append("mail sent")
        await send_mail(smtp, async_fake.name, message("Welcome", to="erin@x.test"))
        return answer

    async with asyncio.TaskGroup() as tasks:
        running = tasks.create_task(app())
        order.append("waiting for requests")
        [seen] = await async_fake.wait_for_requests(1, timeout=10, path="^/ping$")
        order.append("waiting for mail")
        mail = await async_fake.mail.wait(to="erin@", timeout=10)
    assert running.result() == "pong"
    assert (seen.path, seen.status, mail.subject) == ("/ping", 200, "Welcome")
    assert order == ["waiting for requests", "request sent", "waiting for mail", "mail sent"]


async def test_a_verification_that_waits_leaves_the_loop_free(async_fake: AsyncPretenders) -> None:
    await async_fake.when("POST /charge").reply({"ok": True})
    proxy = await async_fake.proxy_url()
    started = waits_started(async_fake)

    async def app() -> None:
        await started["/api/v1/verify"].wait()
        async with httpx.AsyncClient(proxy=proxy, trust_env=False) as client:
            await client.post("http://pay.test/charge", json={"cents": 100})

    async with asyncio.TaskGroup() as tasks:
        tasks.create_task(app())
        assert len(await async_fake.assert_requested("POST /charge", times=1, wait=10)) == 1
    await async_fake.assert_no_misses()
    await async_fake.assert_all_played()
