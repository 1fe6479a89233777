"""The v1 client against a real server: presets, requests, waits and assertions."""

import smtplib
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
import requests

from pretenders_proxy import APIError, MailTimeoutError, Pretenders, WaitTimeoutError
from pretenders_proxy.testing.launcher import RunningServer


@pytest.fixture
def fake(server: RunningServer) -> Iterator[Pretenders]:
    with Pretenders(server.control) as root:
        session = root.session()
        yield session
        session.delete()
        session.close()


def get(fake: Pretenders, url: str, **kw: object) -> requests.Response:
    return requests.get(url, proxies={"http": fake.proxy_url}, timeout=10, **kw)  # type: ignore[arg-type]


def test_presets_answer_the_session_proxy(fake: Pretenders) -> None:
    fake.when("GET /hello", host="api.test").reply("hi", headers={"X-A": "1"})
    fake.when("GET /data").reply({"n": 1}, status=201)
    fake.when("GET /raw").reply(b"\x00\xff", times=1)
    assert get(fake, "http://api.test/hello").text == "hi"
    assert get(fake, "http://x.test/data").json() == {"n": 1}
    assert get(fake, "http://x.test/raw").content == b"\x00\xff"
    assert [p["rule"]["rule"] for p in fake.presets()] == ["GET /hello", "GET /data"]


def test_requests_are_typed(fake: Pretenders) -> None:
    requests.post(
        "http://x.test/orders?x=1", json={"a": 1}, proxies={"http": fake.proxy_url}, timeout=10
    )
    [seen] = fake.requests()
    assert (seen.method, seen.path, seen.query, seen.source) == ("POST", "/orders", "x=1", "miss")
    assert seen.json() == {"a": 1} and seen.header("content-type") == "application/json"
    assert fake.requests(method="GET") == []


def test_assertions_carry_the_near_miss(fake: Pretenders) -> None:
    fake.when("POST /orders").reply(status=201)
    requests.post("http://x.test/order", proxies={"http": fake.proxy_url}, timeout=10)
    with pytest.raises(AssertionError, match="request 'POST /order' does not match rule"):
        fake.assert_requested("POST /orders", times=1)
    with pytest.raises(AssertionError, match=r"1 request\(s\) matched nothing"):
        fake.assert_no_misses()
    with pytest.raises(AssertionError, match="never used: preset"):
        fake.assert_all_played()
    requests.post("http://x.test/orders", proxies={"http": fake.proxy_url}, timeout=10)
    assert len(fake.assert_requested("POST /orders", times=1)) == 1
    fake.assert_all_played()


def test_wait_for_requests(fake: Pretenders) -> None:
    get(fake, "http://x.test/a")
    assert [r.path for r in fake.wait_for_requests(1, timeout=5)] == ["/a"]
    with pytest.raises(AssertionError, match=r"waited 0\.2s for 2"):
        fake.wait_for_requests(2, timeout=0.2)


def test_every_wait_times_out_the_same_way_with_what_arrived(fake: Pretenders) -> None:
    get(fake, "http://x.test/a")
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = "hi", "app@x.test", "erin@x.test"
    message.set_content("hi")
    with smtplib.SMTP(*fake.smtp, timeout=10) as smtp:
        smtp.login(fake.name, "x")
        smtp.send_message(message)
    waits = [
        lambda: fake.wait_for_requests(2, timeout=0.2),
        lambda: fake.assert_requested("GET /a", times=2, wait=0.2),
        lambda: fake.mail.wait(to="frank@", timeout=0.2),
    ]
    seen = []
    for wait in waits:
        with pytest.raises(WaitTimeoutError) as caught:
            wait()
        assert type(caught.value) is WaitTimeoutError
        seen.append(caught.value.seen)
    [[request], [matched], [mail]] = seen
    assert (request.path, matched.path, mail.subject) == ("/a", "/a", "hi")
    assert issubclass(WaitTimeoutError, AssertionError)  # pytest shows a failed assertion
    assert MailTimeoutError is WaitTimeoutError


def test_reset_and_api_errors(fake: Pretenders) -> None:
    fake.when("GET /").reply("x")
    get(fake, "http://x.test/")
    fake.reset()
    assert fake.presets() == [] and fake.requests() == []
    with pytest.raises(APIError, match="invalid regex in rule"):
        fake.when("GET /(").reply("x")
