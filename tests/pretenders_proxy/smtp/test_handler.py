"""The SMTP handler: mail goes to its session's inbox; SMTP presets refuse recipients or mail."""

import asyncio

from aiosmtpd.smtp import SMTP, Envelope, LoginPassword, Session

from pretenders_proxy.model.smtp_preset import Action, SmtpPreset, Stage
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.smtp.handler import GONE, CaptureHandler, accept_any, auth_user
from pretenders_proxy.store.session import SessionProtocol

MESSAGE = b"Subject: hi\r\n\r\nhello\r\n"
NO_SERVER: SMTP = None  # type: ignore[assignment]  # used only to drop a connection


def smtp_session(user: str | None = None) -> Session:
    session = Session(asyncio.get_running_loop())
    session.peer = ("127.0.0.1", 40000)
    if user is not None:
        session.authenticated = True
        session.auth_data = LoginPassword(user.encode(), b"any password")
    return session


async def deliver(handler: CaptureHandler, session: Session, *recipients: str) -> list[str]:
    envelope = Envelope()
    envelope.mail_from = "app@x.test"
    answers = [
        await handler.handle_RCPT(NO_SERVER, session, envelope, address, [])
        for address in recipients
    ]
    envelope.original_content = MESSAGE
    return [*answers, await handler.handle_DATA(NO_SERVER, session, envelope)]


async def test_mail_goes_to_the_session_of_the_auth_user_else_default() -> None:
    runtime = Runtime()
    alice = runtime.store.open("alice", SessionProtocol.SMTP)
    handler = CaptureHandler(runtime)
    assert await deliver(handler, smtp_session("alice"), "a@y.test") == [
        "250 OK",
        "250 2.0.0 OK: queued as 1",
    ]
    await deliver(handler, smtp_session(), "b@y.test")
    await deliver(handler, smtp_session("stranger"), "c@y.test")
    (mail,) = alice.inbox
    assert (mail.content, mail.envelope.rcpt_tos, mail.envelope.auth_user) == (
        MESSAGE,
        ("a@y.test",),
        "alice",
    )
    assert [m.envelope.rcpt_tos for m in runtime.store.get("default").inbox] == [
        ("b@y.test",),
        ("c@y.test",),
    ]


async def test_a_preset_refuses_the_recipients_it_matches() -> None:
    runtime = Runtime()
    default = runtime.store.get("default")
    runtime.store.add_smtp_preset(default, SmtpPreset(recipient="@full\\.test$", times=1))
    answers = await deliver(CaptureHandler(runtime), smtp_session(), "a@full.test", "b@ok.test")
    assert answers[0].startswith("550")
    assert answers[1] == "250 OK"
    (mail,) = default.inbox
    assert mail.envelope.rcpt_tos == ("b@ok.test",)


async def test_a_data_preset_refuses_the_mail() -> None:
    runtime = Runtime()
    default = runtime.store.get("default")
    tempfail = SmtpPreset(stage=Stage.DATA, action=Action.TEMPFAIL, text="try later")
    runtime.store.add_smtp_preset(default, tempfail)
    answers = await deliver(CaptureHandler(runtime), smtp_session(), "a@y.test")
    assert answers[-1] == "451 try later"
    assert len(default.inbox) == 0


async def test_a_deleted_mock_takes_nothing_more() -> None:
    runtime = Runtime()
    runtime.store.open("gone", SessionProtocol.SMTP)
    handler = CaptureHandler(runtime, "gone")
    runtime.store.delete("gone")
    assert await deliver(handler, smtp_session(), "a@y.test") == [GONE, GONE]


async def test_any_credentials_are_accepted_and_the_user_name_kept() -> None:
    session = smtp_session("bob")
    accepted = accept_any(NO_SERVER, session, Envelope(), "PLAIN", session.auth_data)
    assert accepted.success
    assert auth_user(session) == "bob"
    assert auth_user(smtp_session()) is None


async def test_a_user_name_that_is_not_utf8_is_still_a_name() -> None:
    session = smtp_session()
    session.authenticated = True
    session.auth_data = LoginPassword(b"caf\xe9", b"x")
    assert auth_user(session) == "caf\ufffd"
