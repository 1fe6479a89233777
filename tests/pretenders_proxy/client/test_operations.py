"""A session's calls without I/O: what each sends, and how the answers it is fed end it."""

import httpx
import pytest

from pretenders_proxy.client.operations import SessionCalls, verification
from pretenders_proxy.client.sansio import Call
from pretenders_proxy.errors import WaitTimeoutError
from tests.pretenders_proxy.client.test_v1 import ENTRY


def test_a_timed_out_wait_asks_for_every_request_then_raises_with_them() -> None:
    steps = SessionCalls("s").wait_for_requests(2, 0.2, {"method": "GET"})
    wait = next(steps)
    assert (wait.path, wait.timeout) == ("/api/v1/requests", 10.2)
    assert dict(wait.params or {}) == {
        "method": "GET",
        "session": "s",
        "wait": 0.2,
        "count": 2,
        "limit": 1000,
    }
    listing = steps.send(httpx.Response(408, json={"error": "waited 0.2s"}))
    assert listing == Call(
        "GET", "/api/v1/requests", {"method": "GET", "session": "s", "limit": 1000}
    )
    with pytest.raises(WaitTimeoutError) as caught:
        steps.send(httpx.Response(200, json=[ENTRY]))
    assert [r.id for r in caught.value.seen] == [7]


def test_the_smtp_address_and_proxy_url_come_from_the_listeners() -> None:
    health = httpx.Response(
        200, json={"listeners": {"smtp": "smtp://[::1]:2525", "proxy": "http://127.0.0.1:8080"}}
    )
    for call, expected in [
        (SessionCalls("s").smtp(), ("::1", 2525)),
        (SessionCalls("s").proxy_url(), "http://s:x@127.0.0.1:8080"),
    ]:
        assert next(call) == Call("GET", "/health")
        with pytest.raises(StopIteration) as done:
            call.send(health)
        assert done.value.value == expected


def test_the_sessions_own_proxy_is_opened_then_named_on_the_proxys_host() -> None:
    steps = SessionCalls("s").own_proxy()
    body = {"name": "s", "proxy_port": True}
    assert next(steps) == Call("POST", "/api/v1/sessions", json=body)
    assert steps.send(httpx.Response(201, json={"name": "s", "proxy_port": 9123})) == Call(
        "GET", "/health"
    )
    with pytest.raises(StopIteration) as done:
        steps.send(httpx.Response(200, json={"listeners": {"proxy": "http://[::1]:8080"}}))
    assert done.value.value == "http://[::1]:9123"


def test_a_verification_sends_only_what_was_given() -> None:
    assert verification("GET /a", host="h.test", times=1) == {
        "rule": {"rule": "GET /a", "host": "h.test"},
        "times": 1,
    }
    assert verification(wait=2.5, at_least=2) == {"rule": {"rule": ""}, "at_least": 2, "wait": 2.5}
