"""The mail calls of the v1 API without their I/O (sansio.Steps), and what both mailboxes hold;
`Mailbox` (mail.py) and `AsyncMailbox` (aio.py) run these calls."""

import builtins
from typing import Any, TypedDict

import httpx

from pretenders_proxy.client.sansio import Call, Steps, checked, fetch, pages
from pretenders_proxy.errors import WaitTimeoutError
from pretenders_proxy.wire.mail import MailOut, MailSummaryOut, SmtpPresetOut

API = "/api/v1"


class MailFilters(TypedDict, total=False):
    """Mail whose recipients, sender and subject contain these (any case)."""

    to: str | None
    sender: str | None
    subject: str | None


class MailboxClient:
    """What both mailboxes hold: the server, the session (None: every session's mail), the
    token, the calls' timeout (seconds), and the calls."""

    def __init__(
        self, url: str, session: str | None = None, *, token: str | None = None, timeout: float = 30
    ) -> None:
        self.url = url.rstrip("/")
        self.session = session
        self.timeout = timeout
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.calls = MailCalls(session)

    def client_options(self) -> dict[str, Any]:
        """An httpx client's options for calls on a client of their own (nothing to close
        between calls). The control API is never reached through HTTP_PROXY, even when the
        app's tests set it."""
        return {
            "base_url": self.url,
            "headers": self.headers,
            "timeout": self.timeout,
            "trust_env": False,
        }


class MailCalls:
    """Every mail call of one session (or of all, when None), as Steps."""

    def __init__(self, session: str | None) -> None:
        self.scope = {"session": session} if session is not None else {}

    def list(self, **filters: Any) -> Steps[builtins.list[MailSummaryOut]]:
        found = yield from pages(f"{API}/mail", self.filters(**filters))
        return [MailSummaryOut.model_validate(item) for item in found]

    def get(self, mail_id: int) -> Steps[MailOut]:
        return MailOut.model_validate((yield from fetch(Call("GET", f"{API}/mail/{mail_id}"))))

    def raw(self, mail_id: int) -> Steps[bytes]:
        return checked((yield Call("GET", f"{API}/mail/{mail_id}/raw"))).content

    def attachment(self, mail_id: int, index: int) -> Steps[bytes]:
        path = f"{API}/mail/{mail_id}/attachments/{index}"
        return checked((yield Call("GET", path))).content

    def links(self, mail_id: int) -> Steps[builtins.list[str]]:
        return (yield from self.get(mail_id)).links

    def wait(self, timeout: float, **filters: Any) -> Steps[MailOut]:
        params = self.filters(**filters) | {"wait": str(timeout)}
        answer = yield Call("GET", f"{API}/mail", params, timeout=timeout + 10)
        if answer.status_code == 408:
            raise timed_out(answer)
        return (yield from self.get(checked(answer).json()[0]["id"]))

    def delete(self, mail_id: int | None = None) -> Steps[None]:
        if mail_id is None:
            yield from fetch(Call("DELETE", f"{API}/mail", self.filters()))
        else:
            yield from fetch(Call("DELETE", f"{API}/mail/{mail_id}"))

    def add_preset(self, preset: dict[str, Any]) -> Steps[SmtpPresetOut]:
        added = yield from fetch(Call("POST", f"{API}/smtp/presets", self.scope, preset))
        return SmtpPresetOut.model_validate(added)

    def presets(self) -> Steps[builtins.list[SmtpPresetOut]]:
        found = yield from pages(f"{API}/smtp/presets", self.scope)
        return [SmtpPresetOut.model_validate(item) for item in found]

    def clear_presets(self) -> Steps[None]:
        yield from fetch(Call("DELETE", f"{API}/smtp/presets", self.scope))

    def filters(
        self, *, to: str | None = None, sender: str | None = None, subject: str | None = None
    ) -> dict[str, str]:
        given = {"to": to, "from": sender, "subject": subject}
        return self.scope | {name: value for name, value in given.items() if value is not None}


def timed_out(answer: httpx.Response) -> WaitTimeoutError:
    """A mail wait's 408: its message, and the mail that did arrive as `seen`."""
    try:
        body = answer.json()
        message = str(body["error"])
    except (ValueError, KeyError, TypeError):
        body, message = {}, answer.text
    seen = [MailSummaryOut.model_validate(item) for item in body.get("seen", [])]
    return WaitTimeoutError(message, seen)
