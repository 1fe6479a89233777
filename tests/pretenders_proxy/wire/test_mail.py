"""The mail the server shows is what the client reads: the views validate into the shared models."""

from pretenders_proxy.api import mail_views
from pretenders_proxy.model.mail import Envelope, Mail
from pretenders_proxy.model.message import headline
from pretenders_proxy.model.smtp_preset import Action, SmtpPreset, Stage
from pretenders_proxy.store.countdown import Stored
from pretenders_proxy.store.smtp_presets import StoredSmtpPreset
from pretenders_proxy.wire.mail import MailOut, MailSummaryOut, SmtpPresetOut

MESSAGE = (
    b"Subject: hi\r\nFrom: a@x.test\r\nTo: b@y.test\r\nContent-Type: multipart/mixed; boundary=b"
    b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee https://example.test/x, code 4821\r\n"
    b"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n"
    b"\r\n%PDF\r\n--b--\r\n"
)
ENVELOPE = Envelope(("127.0.0.1", 2525), "a@x.test", ("b@y.test",))
MAIL = Mail(7, "s", 0.0, ENVELOPE, MESSAGE, headline(MESSAGE))


def test_a_mail_as_the_api_shows_it_is_read_back_whole() -> None:
    summary = MailSummaryOut.model_validate(mail_views.mail_summary(MAIL))
    assert (summary.id, summary.subject, summary.from_, summary.to) == (
        7,
        "hi",
        "a@x.test",
        "b@y.test",
    )
    detail = MailOut.model_validate(mail_views.mail_detail(MAIL))
    assert detail.links == ["https://example.test/x"]
    assert (detail.codes, detail.code) == (["4821"], "4821")
    assert [a.filename for a in detail.attachments] == ["a.pdf"]
    assert detail.model_dump(by_alias=True) == mail_views.mail_detail(MAIL)


def test_an_smtp_preset_as_the_api_shows_it_is_read_back() -> None:
    stored: StoredSmtpPreset = Stored(3, SmtpPreset(Stage.DATA, "bob@", Action.TEMPFAIL), None)
    read = SmtpPresetOut.model_validate(mail_views.smtp_preset(stored, "s"))
    assert (read.id, read.stage, read.action, read.times, read.remaining) == (
        3,
        Stage.DATA,
        Action.TEMPFAIL,
        "FOREVER",
        "FOREVER",
    )


def test_a_mail_without_a_code_has_none() -> None:
    detail = MailOut.model_validate(mail_views.mail_detail(Mail(8, "s", 0.0, ENVELOPE, b"Hi")))
    assert (detail.codes, detail.code) == ([], None)
