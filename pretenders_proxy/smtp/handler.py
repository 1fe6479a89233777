"""The aiosmtpd handler: accepted messages become Mail of their session; SMTP presets act."""

import asyncio
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword
from aiosmtpd.smtp import Session as SmtpSession

from pretenders_proxy.errors import StoreUnavailableError
from pretenders_proxy.matching.budget import Budget
from pretenders_proxy.model.mail import Envelope as MailEnvelope
from pretenders_proxy.model.smtp_preset import Action, SmtpPreset, Stage
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.store import Session
from pretenders_proxy.store.sessions import DEFAULT_SESSION

ACCEPTED = "250 2.0.0 OK: queued as {id}"
GONE = "421 4.3.0 This mock was deleted; nothing more is accepted here"
UNAVAILABLE = "451 4.3.0"
"""Try later: the shared store is unreachable (the reply says why)."""
MAX_REPLY = 510
"""An SMTP reply line's length at most, without its CRLF (RFC 5321 4.5.3.1.5)."""


def accept_any(
    server: SMTP, session: SmtpSession, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    """AUTH PLAIN/LOGIN with any credentials succeeds; the user name is kept with the mail."""
    return AuthResult(success=True, auth_data=auth_data)


def auth_user(session: SmtpSession) -> str | None:
    data = session.auth_data
    if session.authenticated and isinstance(data, LoginPassword):
        return data.login.decode("utf-8", errors="replace")
    return None


def envelope_of(session: SmtpSession, envelope: Envelope) -> MailEnvelope:
    peer = session.peer if isinstance(session.peer, tuple) else ("", 0)
    return MailEnvelope(
        peer=(str(peer[0]), int(peer[1])),
        mail_from=envelope.mail_from or "",
        rcpt_tos=tuple(envelope.rcpt_tos),
        auth_user=auth_user(session),
        tls=session.ssl is not None,
        smtp_utf8=envelope.smtp_utf8,
    )


async def act(server: SMTP, preset: SmtpPreset) -> str | None:
    """Carry out a preset: wait, then drop the connection, or give the refusal (None: go on)."""
    if preset.after:
        await asyncio.sleep(preset.after)
    if preset.action is Action.DROP:
        if isinstance(server.transport, asyncio.Transport):
            server.transport.abort()
        raise asyncio.CancelledError  # what aiosmtpd itself does when a connection is lost
    return preset.reply


class CaptureHandler:
    """Keeps every accepted message in its session's inbox.

    A mock's listener serves the session `session`; the capture listener (`session` None)
    serves the session named by the AUTH user name when there is one, else `default`.
    """

    def __init__(self, runtime: Runtime, session: str | None = None) -> None:
        self.runtime = runtime
        self.session = session

    def _budget(self) -> Budget:
        return Budget(self.runtime.settings.regex_timeout)

    async def _target(self, smtp_session: SmtpSession) -> Session | None:
        state = self.runtime.state
        if self.session is not None:
            return await state.traffic(self.session, create=False)
        user = auth_user(smtp_session)
        found = await state.traffic(user, create=False) if user else None
        return found or await state.traffic(DEFAULT_SESSION, create=False)

    async def handle_RCPT(
        self,
        server: SMTP,
        session: SmtpSession,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        try:
            return await self._rcpt(server, session, envelope, address, rcpt_options)
        except StoreUnavailableError as e:
            return f"{UNAVAILABLE} {e}"[:MAX_REPLY]

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        try:
            return await self._data(server, session, envelope)
        except StoreUnavailableError as e:
            return f"{UNAVAILABLE} {e}"[:MAX_REPLY]

    async def _rcpt(
        self,
        server: SMTP,
        session: SmtpSession,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        target = await self._target(session)
        if target is None:
            return GONE
        state = self.runtime.state
        preset = await state.take_smtp(target, Stage.RCPT, [address], self._budget())
        if preset is not None and (refusal := await act(server, preset.preset)):
            return refusal
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def _data(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        target = await self._target(session)
        if target is None:
            return GONE
        state = self.runtime.state
        preset = await state.take_smtp(target, Stage.DATA, envelope.rcpt_tos, self._budget())
        if preset is not None:
            if refusal := await act(server, preset.preset):
                return refusal
            if (target := await self._target(session)) is None:  # deleted during the delay
                return GONE
        content = envelope.original_content or b""
        mail = await state.add_mail(target, envelope_of(session, envelope), content)
        return ACCEPTED.format(id=mail.id)
