"""The mail client against a fake transport: a wait that times out fails like every wait."""

import functools

import httpx
import pytest

from pretenders_proxy.client.mail import Mailbox
from pretenders_proxy.errors import APIError, MailTimeoutError, WaitTimeoutError
from pretenders_proxy.wire.mail import MailSummaryOut

SUMMARY = {
    "id": 3,
    "session": "s",
    "time": "2026-01-02T03:04:05+00:00",
    "envelope": {
        "peer": ["127.0.0.1", 50000],
        "mail_from": "app@x.test",
        "rcpt_tos": ["erin@x.test"],
        "auth_user": "s",
        "tls": False,
        "smtp_utf8": False,
    },
    "subject": "Seen but not matching",
    "from": "app@x.test",
    "to": "erin@x.test",
    "size": 120,
}


def test_a_mail_wait_times_out_with_what_arrived(monkeypatch: pytest.MonkeyPatch) -> None:
    body = {"error": "waited 0.2s for 1 mail(s) matching to='frank@'", "seen": [SUMMARY]}
    transport = httpx.MockTransport(lambda _: httpx.Response(408, json=body))
    monkeypatch.setattr(httpx, "Client", functools.partial(httpx.Client, transport=transport))
    with pytest.raises(WaitTimeoutError, match="matching to='frank@'") as caught:
        Mailbox("http://control.test", session="s").wait(to="frank@", timeout=0.2)
    [seen] = caught.value.seen
    assert isinstance(seen, MailSummaryOut) and seen.subject == "Seen but not matching"
    assert all(isinstance(caught.value, kind) for kind in (AssertionError, TimeoutError, APIError))
    assert MailTimeoutError is WaitTimeoutError  # the name it had first still works


def test_the_mail_list_is_read_page_after_page(monkeypatch: pytest.MonkeyPatch) -> None:
    mails = [dict(SUMMARY, id=n) for n in range(1, 6)]
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        start = int(request.url.params.get("cursor", "0"))
        following = {"X-Next-Cursor": str(start + 2)} if start + 2 < len(mails) else {}
        return httpx.Response(200, json=mails[start : start + 2], headers=following)

    transport = httpx.MockTransport(answer)
    monkeypatch.setattr(httpx, "Client", functools.partial(httpx.Client, transport=transport))
    assert [m.id for m in Mailbox("http://control.test", session="s").list(to="erin@")] == [
        1,
        2,
        3,
        4,
        5,
    ]
    assert [r.url.params.get("cursor") for r in sent] == [None, "2", "4"]
    assert {r.url.params["to"] for r in sent} == {"erin@"}
