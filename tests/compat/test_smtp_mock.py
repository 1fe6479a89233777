"""The pretenders 1.4 SMTP mock scenarios, run with the original 1.4.5 client from PyPI and with
ours, against a real `pretenders serve` process and stdlib smtplib."""

import smtplib
import socket
import time
from collections.abc import Callable, Iterator
from email.header import Header
from email.mime.text import MIMEText
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pretenders.client.smtp
import pretenders.common.exceptions
import pytest
import requests

import pretenders_proxy.client.smtp
import pretenders_proxy.errors
from pretenders_proxy.testing.launcher import RunningServer, launch

CLIENTS = {
    "original-1.4.5": SimpleNamespace(
        SMTPMock=pretenders.client.smtp.SMTPMock, errors=pretenders.common.exceptions
    ),
    "ours": SimpleNamespace(
        SMTPMock=pretenders_proxy.client.smtp.SMTPMock, errors=pretenders_proxy.errors
    ),
}


@pytest.fixture(params=list(CLIENTS))
def lib(request: pytest.FixtureRequest) -> SimpleNamespace:
    return CLIENTS[request.param]


@pytest.fixture
def new_mock(lib: SimpleNamespace, server: RunningServer) -> Iterator[Callable[..., Any]]:
    """Make SMTPMocks on `server` (or another server); their connections close after the test."""
    made: list[Any] = []

    def make(on: RunningServer = server) -> Any:
        made.append(lib.SMTPMock(on.host, on.port))
        return made[-1]

    yield make
    for mock in made:
        if hasattr(mock, "connection"):  # the original client keeps one connection open
            mock.connection.close()


@pytest.fixture
def smtp_mock(new_mock: Callable[..., Any]) -> Any:
    return new_mock()


def send_dummy_email(
    mock: Any,
    from_email: str = "test@test.com",
    to_email: str = "test@test.com",
    subject: str = "test",
    content: str = "some content",
) -> None:
    """What the 1.4 test suite's app does: a UTF-8 text mail to the mock's port."""
    message = MIMEText(content, "plain", "utf-8")
    message["Subject"] = Header(subject, "utf-8")
    message["From"] = from_email
    message["To"] = to_email
    with smtplib.SMTP(mock.host, mock.pretend_port, timeout=10) as smtp:
        smtp.sendmail(from_email, [to_email], message.as_string())


def test_check_sent_email_content(smtp_mock: Any) -> None:
    smtp_mock.reset()
    subject = "Test Email with óthér chárs ðöþæ!!"
    content = "Hey, thought I'd send you a message ðöþæ"
    send_dummy_email(
        smtp_mock, "pretenders_from@test.com", "pretenders_to@test.com", subject, content
    )
    email_message = smtp_mock.get_email(0)
    assert email_message.subject == subject
    assert email_message["From"] == "pretenders_from@test.com"
    assert email_message["To"] == "pretenders_to@test.com"
    assert email_message.content == content


def test_reset_works(smtp_mock: Any) -> None:
    smtp_mock.reset()
    send_dummy_email(smtp_mock)
    assert len(smtp_mock.get_emails()) == 1
    smtp_mock.reset()
    assert len(smtp_mock.get_emails()) == 0


def test_history_stores_multiple_emails(smtp_mock: Any) -> None:
    smtp_mock.reset()
    send_dummy_email(smtp_mock)
    assert len(smtp_mock.get_emails()) == 1
    send_dummy_email(smtp_mock)
    assert len(smtp_mock.get_emails()) == 2


def test_check_sent_email_none_sent(smtp_mock: Any) -> None:
    smtp_mock.reset()
    assert smtp_mock.get_email(0) is None


def test_history_item_has_the_14_shape(smtp_mock: Any, control: str) -> None:
    send_dummy_email(smtp_mock, "from@test.com", "to@test.com")
    item = requests.get(f"{control}/history/{smtp_mock.pretend_access_point_id}/0", timeout=10)
    body = item.json()
    assert set(body) == {"peer", "mailfrom", "rcpttos", "data", "rule"}
    assert (body["mailfrom"], body["rcpttos"], body["rule"]) == (
        "from@test.com",
        ["to@test.com"],
        "",
    )
    assert body["peer"][0] == "127.0.0.1" and isinstance(body["peer"][1], int)
    assert "\r\n" not in body["data"] and "Subject: " in body["data"]
    assert item.content.isascii()


def test_two_mocks_have_their_own_ports_and_mail(new_mock: Callable[..., Any]) -> None:
    first, second = new_mock(), new_mock()
    assert first.pretend_port != second.pretend_port
    assert first.pretend_access_point.startswith("localhost:")
    send_dummy_email(first, subject="for the first")
    assert [m.subject for m in first.get_emails()] == ["for the first"]
    assert second.get_emails() == []


def test_get_pretender_describes_the_smtp_mock(smtp_mock: Any) -> None:
    pretender = smtp_mock.get_pretender()
    assert (pretender.name, pretender.protocol) == (smtp_mock.pretend_access_point_id, "smtp")


def test_delete_mock_stops_its_listener(smtp_mock: Any, lib: SimpleNamespace) -> None:
    port = smtp_mock.pretend_port
    smtp_mock.delete_mock()
    with pytest.raises(lib.errors.ResourceNotFound):
        smtp_mock.get_pretender()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=10).close()


def test_smtp_mocks_are_listed_under_smtp_only(smtp_mock: Any, control: str) -> None:
    name = smtp_mock.pretend_access_point_id
    assert name in [m["name"] for m in requests.get(f"{control}/smtp", timeout=10).json()]
    assert name not in [m["name"] for m in requests.get(f"{control}/http", timeout=10).json()]


def test_expired_smtp_mock_is_swept_and_its_port_closed(control: str) -> None:
    created = requests.post(f"{control}/smtp", json={"pretender_timeout": 0.3}, timeout=10).json()
    port = int(created["full_host"].split(":")[1])
    time.sleep(0.8)  # timeout 0.3 s plus the 0.2 s sweep period of this server, with room
    assert requests.get(f"{control}/smtp/{created['id']}", timeout=10).status_code == 404
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=10).close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def one_port_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    confdir: Path = tmp_path_factory.mktemp("conf")
    with launch(["--smtp-port-range", str(_free_port())], confdir=confdir) as running:
        yield running


def test_exhausted_port_range_is_a_503_until_a_mock_is_deleted(
    one_port_server: RunningServer,
) -> None:
    control = one_port_server.control
    first = requests.post(f"{control}/smtp", json={"name": None}, timeout=10)
    assert first.status_code == 200
    refused = requests.post(f"{control}/smtp", json={"name": None}, timeout=10)
    assert refused.status_code == 503
    assert "no free port for a new SMTP mock" in refused.text
    assert requests.delete(f"{control}/smtp/{first.json()['id']}", timeout=10).status_code == 200
    again = requests.post(f"{control}/smtp", json={"name": None}, timeout=10)
    assert again.json()["full_host"] == first.json()["full_host"]
    requests.delete(f"{control}/smtp/{again.json()['id']}", timeout=10)


@pytest.mark.parametrize(
    ("body", "status", "problem"),
    [
        (b'{"name": ""}', 400, "name: Value error, must be a non-empty name"),
        (b"not json", 400, "request body is not valid JSON"),
        (b'{"name": null, "pretender_timeout": -1}', 400, "pretender_timeout"),
    ],
)
def test_bad_smtp_mock_requests_are_4xx(
    control: str, body: bytes, status: int, problem: str
) -> None:
    answer = requests.post(f"{control}/smtp", data=body, timeout=10)
    assert answer.status_code == status and problem in answer.text


def test_an_http_mock_name_cannot_become_an_smtp_mock(control: str, session_name: str) -> None:
    requests.post(f"{control}/http", json={"name": session_name}, timeout=10)
    answer = requests.post(f"{control}/smtp", json={"name": session_name}, timeout=10)
    assert answer.status_code == 409 and "is an http mock, not an SMTP one" in answer.text
    requests.delete(f"{control}/http/{session_name}", timeout=10)
