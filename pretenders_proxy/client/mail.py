"""Mail helpers on the v1 API: list, read, wait for and delete captured mail; SMTP presets.

mailbox = Mailbox("http://127.0.0.1:8000", session="signup-test")
mail = mailbox.wait(to="alice@example.com", timeout=5)
reset_link = next(link for link in mail.links if "/reset/" in link)
code = mail.code  # its first one-time code, or None
"""

import builtins
from typing import Any

import httpx

from pretenders_proxy.errors import APIError, WaitTimeoutError
from pretenders_proxy.wire.mail import MailOut, MailSummaryOut, SmtpPresetOut

API = "/api/v1"
PAGE = 1000
"""Items asked for per page of a list (the server's most); every page is followed."""


class Mailbox:
    """The mail of one session (or of all sessions when `session` is None) on a server."""

    def __init__(
        self, url: str, session: str | None = None, *, token: str | None = None, timeout: float = 30
    ) -> None:
        self.url = url.rstrip("/")
        self.session = session
        self.timeout = timeout
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def list(
        self, *, to: str | None = None, sender: str | None = None, subject: str | None = None
    ) -> list[MailSummaryOut]:
        """Mail whose recipients, sender and subject contain these (any case), oldest first."""
        found = self._all("/mail", self._filters(to, sender, subject))
        return [MailSummaryOut.model_validate(item) for item in found]

    def get(self, mail_id: int) -> MailOut:
        """One mail: envelope, decoded headers, text, HTML, attachments, links and codes."""
        return MailOut.model_validate(self._call("GET", f"/mail/{mail_id}").json())

    def raw(self, mail_id: int) -> bytes:
        """The message exactly as it was received (an .eml)."""
        return self._call("GET", f"/mail/{mail_id}/raw").content

    def attachment(self, mail_id: int, index: int) -> bytes:
        return self._call("GET", f"/mail/{mail_id}/attachments/{index}").content

    def links(self, mail_id: int) -> builtins.list[str]:
        """The http(s) links of a mail's text and HTML, in order."""
        return self.get(mail_id).links

    def wait(
        self,
        *,
        to: str | None = None,
        sender: str | None = None,
        subject: str | None = None,
        timeout: float = 10,
    ) -> MailOut:
        """The oldest matching mail, once there is one; WaitTimeoutError after `timeout` s."""
        params = self._filters(to, sender, subject) | {"wait": str(timeout)}
        found = self._call("GET", "/mail", params=params, read_timeout=timeout + 10).json()
        return self.get(found[0]["id"])

    def delete(self, mail_id: int | None = None) -> None:
        """Delete one mail, or all of this mailbox's mail."""
        if mail_id is None:
            self._call("DELETE", "/mail", params=self._filters(None, None, None))
        else:
            self._call("DELETE", f"/mail/{mail_id}")

    def add_preset(self, **preset: Any) -> SmtpPresetOut:
        """Add an SMTP preset: stage, recipient (regex), action, code, text, after, times."""
        answer = self._call("POST", "/smtp/presets", params=self._scope(), json=preset)
        return SmtpPresetOut.model_validate(answer.json())

    def presets(self) -> builtins.list[SmtpPresetOut]:
        found = self._all("/smtp/presets", self._scope())
        return [SmtpPresetOut.model_validate(item) for item in found]

    def clear_presets(self) -> None:
        self._call("DELETE", "/smtp/presets", params=self._scope())

    def _scope(self) -> dict[str, str]:
        return {"session": self.session} if self.session is not None else {}

    def _filters(self, to: str | None, sender: str | None, subject: str | None) -> dict[str, str]:
        given = {"to": to, "from": sender, "subject": subject}
        return self._scope() | {name: value for name, value in given.items() if value is not None}

    def _all(self, path: str, params: dict[str, str]) -> builtins.list[Any]:
        """Every item of a paged list, page after page."""
        items: builtins.list[Any] = []
        page: dict[str, str | int] = {**params, "limit": PAGE}
        while True:
            answer = self._call("GET", path, params=page)
            items += answer.json()
            if not (cursor := answer.headers.get("X-Next-Cursor")):
                return items
            page["cursor"] = cursor

    def _call(
        self, method: str, path: str, *, read_timeout: float | None = None, **options: Any
    ) -> httpx.Response:
        timeout = httpx.Timeout(self.timeout, read=read_timeout or self.timeout)
        # The control API is never reached through HTTP_PROXY, even when the app's tests set it.
        with httpx.Client(headers=self.headers, timeout=timeout, trust_env=False) as client:
            answer = client.request(method, self.url + API + path, **options)
        if answer.is_success:
            return answer
        raise _error(answer)


def _error(answer: httpx.Response) -> APIError:
    """The server's refusal as APIError (its status and message); a timed-out wait as such."""
    try:
        body = answer.json()
        message = str(body["error"])
    except (ValueError, KeyError, TypeError):
        body, message = {}, answer.text
    if answer.status_code == 408:
        seen = [MailSummaryOut.model_validate(item) for item in body.get("seen", [])]
        return WaitTimeoutError(message, seen)
    return APIError(answer.status_code, message)
