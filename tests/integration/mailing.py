"""Helpers for the SMTP tests: a ready-made message, and the type of the `send` fixture."""

from collections.abc import Callable
from email.message import EmailMessage

type Send = Callable[..., dict[str, object]]


def message(
    subject: str = "Hello", text: str = "Hello there.", to: str = "alice@example.test"
) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"], mail["From"], mail["To"] = subject, "app@example.test", to
    mail.set_content(text)
    return mail
