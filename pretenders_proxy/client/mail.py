"""Mail helpers on the v1 API: list, read, wait for and delete captured mail; SMTP presets.

mailbox = Mailbox("http://127.0.0.1:8000", session="signup-test")
mail = mailbox.wait(to="alice@example.com", timeout=5)
reset_link = next(link for link in mail.links if "/reset/" in link)
code = mail.code  # its first one-time code, or None
"""

import builtins
from typing import Any, Unpack

import httpx

from pretenders_proxy.client.mailcalls import MailboxClient, MailFilters
from pretenders_proxy.client.sansio import PAGE, Steps, drive
from pretenders_proxy.wire.mail import MailOut, MailSummaryOut, SmtpPresetOut

__all__ = ["PAGE", "Mailbox"]


class Mailbox(MailboxClient):
    """The mail of one session (or of all sessions when `session` is None) on a server."""

    def list(self, **filters: Unpack[MailFilters]) -> list[MailSummaryOut]:
        """Mail whose recipients (to), sender and subject contain these (any case), oldest
        first."""
        return self._run(self.calls.list(**filters))

    def get(self, mail_id: int) -> MailOut:
        """One mail: envelope, decoded headers, text, HTML, attachments, links and codes."""
        return self._run(self.calls.get(mail_id))

    def raw(self, mail_id: int) -> bytes:
        """The message exactly as it was received (an .eml)."""
        return self._run(self.calls.raw(mail_id))

    def attachment(self, mail_id: int, index: int) -> bytes:
        return self._run(self.calls.attachment(mail_id, index))

    def links(self, mail_id: int) -> builtins.list[str]:
        """The http(s) links of a mail's text and HTML, in order."""
        return self._run(self.calls.links(mail_id))

    def wait(self, *, timeout: float = 10, **filters: Unpack[MailFilters]) -> MailOut:
        """The oldest matching mail, once there is one; WaitTimeoutError after `timeout` s."""
        return self._run(self.calls.wait(timeout, **filters))

    def delete(self, mail_id: int | None = None) -> None:
        """Delete one mail, or all of this mailbox's mail."""
        self._run(self.calls.delete(mail_id))

    def add_preset(self, **preset: Any) -> SmtpPresetOut:
        """Add an SMTP preset: stage, recipient (regex), action, code, text, after, times."""
        return self._run(self.calls.add_preset(preset))

    def presets(self) -> builtins.list[SmtpPresetOut]:
        return self._run(self.calls.presets())

    def clear_presets(self) -> None:
        self._run(self.calls.clear_presets())

    def _run[T](self, steps: Steps[T]) -> T:
        with httpx.Client(**self.client_options()) as client:
            return drive(client, steps)
