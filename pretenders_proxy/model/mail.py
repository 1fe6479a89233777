"""Captured mail as plain frozen data: the SMTP envelope and the message exactly as received."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Envelope:
    """What the SMTP dialogue said about a message, beside the message itself.

    `auth_user` is the AUTH user name when the client authenticated; `tls` says whether the
    message came over STARTTLS; `smtp_utf8` whether the client asked for SMTPUTF8.
    """

    peer: tuple[str, int]
    mail_from: str
    rcpt_tos: tuple[str, ...]
    auth_user: str | None = None
    tls: bool = False
    smtp_utf8: bool = False


@dataclass(frozen=True, slots=True)
class Headline:
    """The decoded headers lists and filters need, parsed once when the mail arrives."""

    subject: str = ""
    sender: str = ""
    recipients: str = ""


@dataclass(frozen=True, slots=True)
class Mail:
    """One accepted message: `content` is the raw RFC 5322 message (dot-unstuffed, CRLF)."""

    id: int
    session: str
    time: float
    envelope: Envelope
    content: bytes
    headline: Headline = Headline()

    @property
    def size(self) -> int:
        return len(self.content)
