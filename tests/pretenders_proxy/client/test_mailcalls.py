"""The mail calls without I/O: filters as the API names them, a wait that times out."""

import httpx
import pytest

from pretenders_proxy.client.mailcalls import MailCalls
from pretenders_proxy.client.sansio import Call
from pretenders_proxy.errors import WaitTimeoutError
from tests.pretenders_proxy.client.test_mail import SUMMARY


def test_filters_name_the_apis_fields_and_scope_the_session() -> None:
    assert MailCalls("s").filters(to="a@", sender="b@") == {
        "session": "s",
        "to": "a@",
        "from": "b@",
    }
    assert MailCalls(None).filters(subject="Hi") == {"subject": "Hi"}  # every session's mail


def test_a_wait_asks_the_server_to_wait_and_times_out_with_what_it_saw() -> None:
    steps = MailCalls("s").wait(0.5, to="x@")
    params = {"session": "s", "to": "x@", "wait": "0.5"}
    assert next(steps) == Call("GET", "/api/v1/mail", params, timeout=10.5)
    body = {"error": "waited 0.5s", "seen": [SUMMARY]}
    with pytest.raises(WaitTimeoutError, match=r"^408: waited 0\.5s$") as caught:
        steps.send(httpx.Response(408, json=body))
    assert [mail.id for mail in caught.value.seen] == [3]
