from pretenders_proxy.api import mail_views
from pretenders_proxy.model.mail import Envelope, Mail

MESSAGE = (
    b"Subject: hi\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
    b"--b\r\nContent-Type: text/plain\r\n\r\nsee https://example.test/x\r\n"
    b"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n"
    b"\r\n%PDF\r\n--b--\r\n"
)
MAIL = Mail(7, "s", 0.0, Envelope(("127.0.0.1", 2525), "a@x.test", ("b@y.test",)), MESSAGE)


def test_a_1_4_mail_is_text_with_lf_line_ends() -> None:
    shown = mail_views.mail_14(MAIL)
    assert shown["peer"] == ["127.0.0.1", 2525] and shown["rcpttos"] == ["b@y.test"]
    assert shown["data"].startswith("Subject: hi\nContent-Type") and "\r" not in shown["data"]
    assert (shown["mailfrom"], shown["rule"]) == ("a@x.test", "")


def test_a_mail_detail_links_its_raw_source_and_attachments() -> None:
    shown = mail_views.mail_detail(MAIL)
    assert shown["raw_url"] == "/api/v1/mail/7/raw"
    assert [(a["filename"], a["url"]) for a in shown["attachments"]] == [
        ("a.pdf", "/api/v1/mail/7/attachments/0")
    ]
    assert shown["links"] == ["https://example.test/x"] and shown["size"] == len(MESSAGE)
    assert shown["codes"] == []
