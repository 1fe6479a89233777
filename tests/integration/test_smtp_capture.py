"""Mail sent with stdlib smtplib to a real server, read back through the v1 mail API."""

import concurrent.futures
import re
import smtplib
import ssl
from pathlib import Path
from typing import Any

import pytest
import requests

from pretenders_proxy.client.mail import Mailbox
from pretenders_proxy.client.v1 import Pretenders
from pretenders_proxy.errors import APIError, MailTimeoutError
from pretenders_proxy.testing.launcher import RunningServer
from pretenders_proxy.wire.mail import MailOut
from tests.integration.mailing import Send, message

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 8


def test_plain_mail_is_kept_with_its_envelope_and_raw_bytes(send: Send, mailbox: Mailbox) -> None:
    mail = message("Plain", "Just text.\nSecond line.")
    send(mail, to=["alice@example.test", "bob@example.test"])
    [summary] = mailbox.list()
    got = mailbox.get(summary.id)
    assert got.subject == "Plain" and got.from_ == "app@example.test"
    assert got.envelope.mail_from == "app@example.test"
    assert got.envelope.rcpt_tos == ["alice@example.test", "bob@example.test"]
    assert got.envelope.auth_user == mailbox.session and got.envelope.tls is False
    assert got.text == "Just text.\nSecond line.\n" and got.html is None
    assert mailbox.raw(got.id) == mail.as_bytes(policy=mail.policy.clone(linesep="\r\n"))


def test_multipart_alternative_gives_text_html_and_links(send: Send, mailbox: Mailbox) -> None:
    mail = message("Reset", "Reset here: https://app.example.test/reset/abc?x=1.")
    mail.add_alternative(
        '<p>Reset <a href="https://app.example.test/reset/abc?x=1&amp;y=2">here</a>, '
        "or see https://help.example.test/faq</p>",
        subtype="html",
    )
    send(mail)
    got = mailbox.get(mailbox.list()[0].id)
    assert got.text == "Reset here: https://app.example.test/reset/abc?x=1.\n"
    assert got.html is not None and got.html.startswith("<p>Reset <a href=")
    assert got.links == [
        "https://app.example.test/reset/abc?x=1",
        "https://app.example.test/reset/abc?x=1&y=2",
        "https://help.example.test/faq",
    ]
    assert got.attachments == []


def test_attachment_is_listed_and_downloads_as_sent(send: Send, mailbox: Mailbox) -> None:
    mail = message("Invoice", "Attached.")
    mail.add_attachment(PDF, maintype="application", subtype="pdf", filename="facture-é.pdf")
    send(mail)
    got = mailbox.get(mailbox.list()[0].id)
    [attachment] = got.attachments
    assert (attachment.filename, attachment.content_type) == ("facture-é.pdf", "application/pdf")
    assert attachment.size == len(PDF) and attachment.disposition == "attachment"
    assert mailbox.attachment(got.id, 0) == PDF
    download = requests.get(mailbox.url + attachment.url, timeout=10)
    assert download.headers["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''facture-%C3%A9.pdf" in download.headers["Content-Disposition"]


def test_starttls_with_the_pretenders_ca_and_auth_login(
    server: RunningServer, confdir: Path, mailbox: Mailbox
) -> None:
    context = ssl.create_default_context(cafile=confdir / "mitmproxy-ca-cert.pem")
    with smtplib.SMTP(*server.smtp, timeout=10) as smtp:
        smtp.ehlo()
        for extension in ("starttls", "auth", "8bitmime", "smtputf8", "size"):
            assert smtp.has_extn(extension), extension
        smtp.starttls(context=context)
        smtp.ehlo()
        smtp.login(mailbox.session or "", "secret")  # smtplib prefers PLAIN; LOGIN below
        smtp.send_message(message("Over TLS"))
    with smtplib.SMTP(*server.smtp, timeout=10) as smtp:
        smtp.ehlo()
        smtp.user, smtp.password = mailbox.session or "", "secret"
        assert smtp.auth("LOGIN", smtp.auth_login)[0] == 235
        smtp.send_message(message("AUTH LOGIN"))
    first, second = mailbox.list()
    assert (first.subject, first.envelope.tls) == ("Over TLS", True)
    assert (second.subject, second.envelope.tls) == ("AUTH LOGIN", False)
    assert first.envelope.auth_user == second.envelope.auth_user == mailbox.session


def test_unknown_auth_user_and_no_auth_go_to_default(send: Send, control: str) -> None:
    subject = f"for default {id(send)}"
    send(message(subject), user="nobody-by-this-name")
    send(message(subject), user=None)
    found = Mailbox(control, session="default").list(subject=subject)
    assert [m.envelope.auth_user for m in found] == ["nobody-by-this-name", None]


def test_smtputf8_and_8bit_bodies_round_trip(server: RunningServer, mailbox: Mailbox) -> None:
    raw = (
        "From: jörg@exämple.test\r\nTo: zoë@exämple.test\r\nSubject: Grüße ✓\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "Tschüß — ünïcödé ✓\r\n"
    ).encode()
    with smtplib.SMTP(*server.smtp, timeout=10) as smtp:
        smtp.login(mailbox.session or "", "x")
        smtp.sendmail("jörg@exämple.test", ["zoë@exämple.test"], raw, mail_options=["SMTPUTF8"])
    got = mailbox.get(mailbox.list()[0].id)
    assert (got.subject, got.from_) == ("Grüße ✓", "jörg@exämple.test")
    assert got.envelope.rcpt_tos == ["zoë@exämple.test"] and got.envelope.smtp_utf8
    assert got.text == "Tschüß — ünïcödé ✓\n"
    assert mailbox.raw(got.id) == raw


def test_filters_by_to_from_and_subject(send: Send, mailbox: Mailbox) -> None:
    send(message("Welcome Alice", to="alice@example.test"))
    send(message("Welcome Bob", to="Bob <bob@example.test>"))
    assert [m.subject for m in mailbox.list(to="BOB@")] == ["Welcome Bob"]
    assert [m.subject for m in mailbox.list(subject="alice")] == ["Welcome Alice"]
    assert len(mailbox.list(sender="app@example")) == 2
    assert mailbox.list(sender="someone-else") == []


def test_wait_returns_the_mail_once_it_arrives(
    server: RunningServer, send: Send, mailbox: Mailbox
) -> None:
    send(message("Not this one", to="carol@example.test"))
    with ThreadedWait(mailbox, to="dave@example.test", timeout=60) as waiting:
        send(message("This one", to="dave@example.test"))
    assert waiting.result().subject == "This one"


def test_wait_times_out_with_a_408_showing_what_arrived(send: Send, mailbox: Mailbox) -> None:
    send(message("Seen but not matching", to="erin@example.test"))
    with pytest.raises(
        MailTimeoutError, match=re.escape("1 mail(s) matching to='frank@'")
    ) as caught:
        mailbox.wait(to="frank@", timeout=0.2)
    assert [m.subject for m in caught.value.seen] == ["Seen but not matching"]  # type: ignore


def test_delete_one_then_all(send: Send, mailbox: Mailbox) -> None:
    send(message("one"))
    send(message("two"))
    send(message("three"))
    first = mailbox.list()[0]
    mailbox.delete(first.id)
    assert [m.subject for m in mailbox.list()] == ["two", "three"]
    mailbox.delete()
    assert mailbox.list() == []


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("wait=soon", "wait='soon' is not a number"),
        ("wait=-1", "must be between 0 and 300 seconds"),
        ("count=many", "count='many' is not a whole number"),
        ("count=10617394364086208512", "is too large (at most 999999999999999999)"),
        ("too=alice", "unknown query parameter too"),
        ("session=no-such-session", "no session named 'no-such-session'"),
    ],
)
def test_bad_mail_queries_are_4xx_naming_the_problem(
    control: str, query: str, problem: str
) -> None:
    answer = requests.get(f"{control}/api/v1/mail?{query}", timeout=10)
    assert 400 <= answer.status_code < 500
    assert problem in answer.json()["error"]


def test_unknown_mail_and_attachment_are_404(send: Send, mailbox: Mailbox, control: str) -> None:
    send()
    mail_id = mailbox.list()[0].id
    for path in ("999999", "abc", f"{mail_id}/attachments/0", f"{mail_id}/attachments/x"):
        answer = requests.get(f"{control}/api/mail/{path}", timeout=10)
        assert answer.status_code == 404, path
        assert "error" in answer.json()


class ThreadedWait:
    """Run Mailbox.wait in a thread while the test sends; `result()` once the block ends."""

    def __init__(self, mailbox: Mailbox, **filters: Any) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(1)
        self._future = self._pool.submit(mailbox.wait, **filters)

    def __enter__(self) -> "ThreadedWait":
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True)

    def result(self) -> MailOut:
        return self._future.result()


def test_the_v1_client_reads_the_mail_of_its_session(server: RunningServer, control: str) -> None:
    with Pretenders(control) as base, base.session() as fake:
        try:
            with smtplib.SMTP(*server.smtp, timeout=10) as smtp:
                smtp.login(fake.name, "x")
                smtp.send_message(message("Via v1", "Confirm: https://app.example.test/c/42"))
            mail = fake.mail.wait(subject="via V1", timeout=10)
            assert fake.mail.links(mail.id) == ["https://app.example.test/c/42"]
            with pytest.raises(APIError) as missing:
                fake.mail.get(mail.id + 10_000)
            assert missing.value.status == 404 and "no mail" in missing.value.message
        finally:
            fake.delete()


def test_the_one_time_code_of_a_mail_is_its_code(server: RunningServer, control: str) -> None:
    """Issue 19: `mail.wait(...).code`, the common case of a sign-up test."""
    with Pretenders(control) as base, base.session() as fake:
        try:
            mail = message("Your Acme code", to="ann@example.test")
            mail.set_content(
                "Hi Ann,\n\nYour verification code is 482 913. Order #12345678 is on its way."
            )
            mail.add_alternative(
                "<p>Your verification code is <strong>482&nbsp;913</strong>.</p>"
                '<p><a href="https://app.example.test/verify?code=999999">Verify</a></p>',
                subtype="html",
            )
            with smtplib.SMTP(*server.smtp, timeout=10) as smtp:
                smtp.login(fake.name, "x")
                smtp.send_message(mail)
            got = fake.mail.wait(to="ann@", timeout=10)
            assert (got.code, got.codes) == ("482913", ["482913"])
            plain = message("No code here", "Thanks for your order #12345678 of $20.00.")
            with smtplib.SMTP(*server.smtp, timeout=10) as smtp:
                smtp.login(fake.name, "x")
                smtp.send_message(plain)
            assert fake.mail.wait(subject="no code", timeout=10).code is None
        finally:
            fake.delete()
