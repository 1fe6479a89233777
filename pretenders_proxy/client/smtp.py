"""`SMTPMock`, the pretenders 1.4 SMTP mock client, same API as `pretenders.client.smtp`."""

import email
import email.header
import email.message
import json
from typing import Any

from pretenders_proxy.client.boss import BossClient
from pretenders_proxy.client.mail import Mailbox


class SMTPSerialiser:
    """A mail an SMTP mock received: `["Header"]`, `.subject` and `.content` decoded."""

    def __init__(self, **data: Any) -> None:
        self.data = data
        self.message = email.message_from_string(str(data["data"]))

    def serialize(self) -> str:
        return json.dumps(self.data)

    def __getitem__(self, name: str) -> Any:
        return self.message[name]

    @property
    def subject(self) -> str:
        """The Subject header with its RFC 2047 encoded words decoded."""
        raw = self.message["Subject"] or ""
        return str(email.header.make_header(email.header.decode_header(raw)))

    @property
    def content(self) -> str:
        """The body (of a multipart mail: its first text part), transfer- and charset-decoded."""
        part = self.message
        if part.is_multipart():
            part = next((p for p in part.walk() if p.get_content_maintype() == "text"), part)
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            return ""
        return payload.decode(part.get_content_charset() or "utf-8", errors="replace")


class SMTPMock(BossClient):
    """An SMTP mock on a pretenders server: its own port, and the mail it received.

    mock = SMTPMock("localhost", 8000)
    smtplib.SMTP("localhost", mock.pretend_port).sendmail(...)
    assert mock.get_email(0).subject == "Welcome"
    """

    mock_type = "smtp"

    def __init__(self, host: str, port: int) -> None:
        super().__init__(host, port)

    @property
    def pretend_access_point(self) -> str:
        return str(self.pretender_details["full_host"])

    @property
    def pretend_port(self) -> int:
        return int(self.pretend_access_point.split(":")[1])

    @property
    def mail(self) -> Mailbox:
        """This mock's mail through the v1 API: wait(), get(), links(), SMTP presets."""
        return Mailbox(f"http://{self.full_host}", session=self.pretend_access_point_id)

    def get_emails(self) -> list[SMTPSerialiser]:
        return [SMTPSerialiser(**item) for item in self.history_list()]

    def get_email(self, sequence_id: int) -> SMTPSerialiser | None:
        """The n-th mail received (from 0), or None when there is none."""
        item = self.history_item(sequence_id)
        return None if item is None else SMTPSerialiser(**item)
