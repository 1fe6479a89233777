"""The async client against a fake transport: every page followed, waits and verifications
failing as the sync client's do, an async mailbox holding nothing open between calls."""

import functools
from collections.abc import AsyncIterator

import httpx
import pytest

from pretenders_proxy.client.aio import AsyncMailbox, AsyncPretenders
from pretenders_proxy.errors import APIError, WaitTimeoutError
from tests.pretenders_proxy.client.test_mail import SUMMARY
from tests.pretenders_proxy.client.test_v1 import ENTRY, Answer, paged, verifying


async def faked(answer: Answer, sent: list[httpx.Request] | None = None) -> AsyncPretenders:
    async def handle(request: httpx.Request) -> httpx.Response:
        if sent is not None:
            sent.append(request)
        return answer(request)

    fake = AsyncPretenders("http://control.test", session="s")
    await fake.http.aclose()
    fake.http = httpx.AsyncClient(base_url=fake.url, transport=httpx.MockTransport(handle))
    return fake


@pytest.fixture
async def closing() -> AsyncIterator[list[AsyncPretenders]]:
    made: list[AsyncPretenders] = []
    yield made
    for fake in made:
        await fake.aclose()


async def test_lists_are_read_page_after_page_to_the_end(
    closing: list[AsyncPretenders],
) -> None:
    items = [dict(ENTRY, id=n) for n in range(1, 8)]
    sent: list[httpx.Request] = []
    fake = await faked(paged(items, 3), sent)
    closing.append(fake)
    assert [r.id for r in await fake.requests(method="GET")] == list(range(1, 8))
    assert [r.url.params.get("cursor") for r in sent] == [None, "3", "6"]
    assert [r.id for r in await fake.wait_for_requests(7, timeout=1)] == list(range(1, 8))
    assert [p["id"] for p in await fake.presets()] == list(range(1, 8))
    assert [r.id for r in await fake.misses()] == list(range(1, 8))


async def test_a_verification_fails_as_the_sync_clients_does(
    closing: list[AsyncPretenders],
) -> None:
    waited = await faked(verifying({"ok": False, "matched": [7], "error": "1 of 2 requests"}))
    plain = await faked(verifying({"ok": False, "matched": [], "error": "no request matched"}))
    closing += [waited, plain]
    with pytest.raises(WaitTimeoutError, match="1 of 2 requests") as caught:
        await waited.assert_requested("GET /a", times=2, wait=0.2)
    assert caught.value.status == 409 and [r.id for r in caught.value.seen] == [7]
    with pytest.raises(AssertionError, match=r"^no request matched$") as refused:
        await plain.assert_requested("GET /c")
    assert not isinstance(refused.value, WaitTimeoutError)


async def test_a_refused_call_is_an_api_error(closing: list[AsyncPretenders]) -> None:
    message = "/c/x.cassette: the cassette does not exist, and record mode none never records"
    fake = await faked(lambda _: httpx.Response(400, json={"error": message}))
    closing.append(fake)
    with pytest.raises(APIError) as refused:
        await fake.use_cassette("/c/x.cassette", "none")
    assert (refused.value.status, refused.value.message) == (400, message)


async def test_a_mailbox_of_its_own_opens_a_client_per_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = {"error": "waited 0.2s for 1 mail(s) matching to='frank@'", "seen": [SUMMARY]}
    made: list[httpx.AsyncClient] = []

    def client(**options: object) -> httpx.AsyncClient:
        transport = httpx.MockTransport(lambda _: httpx.Response(408, json=body))
        made.append(original(transport=transport, **options))  # type: ignore[arg-type]
        return made[-1]

    original = functools.partial(httpx.AsyncClient)
    monkeypatch.setattr(httpx, "AsyncClient", client)
    with pytest.raises(WaitTimeoutError, match="matching to='frank@'") as caught:
        await AsyncMailbox("http://control.test", session="s").wait(to="frank@", timeout=0.2)
    assert [mail.subject for mail in caught.value.seen] == ["Seen but not matching"]
    assert [http.is_closed for http in made] == [True]
