"""Fixtures for driving the SMTP listeners with smtplib, each test in its own session."""

import smtplib
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
import requests

from pretenders_proxy.client.mail import Mailbox
from pretenders_proxy.launcher import RunningServer
from tests.integration.mailing import Send, message


@pytest.fixture
def mail_session(control: str, session_name: str) -> Iterator[str]:
    """A fresh session that mail reaches by authenticating as its name on the capture port."""
    answer = requests.post(f"{control}/api/v1/sessions", json={"name": session_name}, timeout=10)
    assert answer.status_code == 201, answer.text
    yield session_name
    requests.delete(f"{control}/api/v1/sessions/{session_name}", timeout=10)


@pytest.fixture
def mailbox(control: str, mail_session: str) -> Mailbox:
    return Mailbox(control, session=mail_session)


@pytest.fixture
def send(server: RunningServer, mail_session: str) -> Send:
    """Send a message to the capture port as the test's session (AUTH user = session name)."""

    def send_one(
        mail: EmailMessage | None = None,
        *,
        user: str | None = mail_session,
        to: list[str] | None = None,
    ) -> dict[str, object]:
        mail = mail or message()
        with smtplib.SMTP(*server.smtp, timeout=10) as smtp:
            if user is not None:
                smtp.login(user, "any password")
            refused = smtp.send_message(mail, to_addrs=to)
        return dict(refused)

    return send_one
