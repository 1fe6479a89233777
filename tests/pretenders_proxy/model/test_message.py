"""Reading raw messages: headers, bodies, attachments; malformed input never raises."""

from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

from hypothesis import given
from hypothesis import strategies as st

from pretenders_proxy.model.message import decode_words, headline, parse
from pretenders_proxy.model.mime import MAX_DEPTH
from tests.pretenders_proxy.factories import nested_mime as nested


def as_bytes(message: EmailMessage | MIMEMultipart | MIMEText) -> bytes:
    return message.as_bytes().replace(b"\n", b"\r\n")


def test_plain_text_with_encoded_subject() -> None:
    mail = MIMEText("Grüße aus Köln", "plain", "utf-8")
    mail["Subject"] = "=?utf-8?b?R3LDvMOfZQ==?="
    mail["From"] = "Jörg <jorg@example.test>"
    parsed = parse(as_bytes(mail))
    assert parsed.subject == "Grüße"
    assert parsed.header("from") == "Jörg <jorg@example.test>"
    assert (parsed.text, parsed.html, parsed.attachments) == ("Grüße aus Köln", None, ())


def test_alternative_bodies_and_an_attachment() -> None:
    mail = EmailMessage()
    mail["Subject"] = "Report"
    mail.set_content("See https://example.test/report.\n")
    mail.add_alternative('<a href="https://example.test/report">report</a>', subtype="html")
    mail.add_attachment(
        b"\x00\x01", maintype="application", subtype="octet-stream", filename="a.bin"
    )
    parsed = parse(as_bytes(mail))
    assert parsed.text == "See https://example.test/report.\n"
    assert parsed.html == '<a href="https://example.test/report">report</a>\n'
    [attachment] = parsed.attachments
    assert (attachment.filename, attachment.content_type, attachment.size) == (
        "a.bin",
        "application/octet-stream",
        2,
    )
    assert attachment.disposition == "attachment" and attachment.payload == b"\x00\x01"
    assert parsed.links == ("https://example.test/report",)


def test_quoted_printable_latin1_and_encoded_filename() -> None:
    raw = (
        b"Subject: qp\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\nCaf=E9 cr=E8me=\r\n br=FBl=E9e\r\n"
        b"--b\r\nContent-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="=?utf-8?q?r=C3=A9sum=C3=A9.pdf?="\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERg==\r\n--b--\r\n"
    )
    parsed = parse(raw)
    assert parsed.text == "Café crème brûlée"  # the last CRLF belongs to the boundary
    assert [(a.filename, a.payload) for a in parsed.attachments] == [("résumé.pdf", b"%PDF")]


def test_inline_image_and_forwarded_mail_are_attachments() -> None:
    mail = MIMEMultipart("related")
    mail.attach(MIMEText("<img src='cid:logo'>", "html"))
    image = MIMEApplication(b"PNG", "png")
    image.replace_header("Content-Type", "image/png")
    image.add_header("Content-ID", "<logo>")
    image.add_header("Content-Disposition", "inline")
    mail.attach(image)
    forwarded = EmailMessage()
    forwarded["Subject"] = "inner"
    forwarded.set_content("inner text")
    wrapper = EmailMessage()
    wrapper.set_content("outer text")
    wrapper.add_attachment(forwarded)
    inline = parse(as_bytes(mail)).attachments[0]
    assert (inline.content_type, inline.content_id, inline.disposition) == (
        "image/png",
        "logo",
        "inline",
    )
    outer = parse(as_bytes(wrapper))
    assert outer.text == "outer text\n"
    [attached] = outer.attachments
    assert attached.content_type == "message/rfc822" and b"inner text" in attached.payload


def test_raw_utf8_headers_and_8bit_body() -> None:
    raw = "Subject: Grüße ✓\r\nFrom: zoë@exämple.test\r\n\r\nünï ✓\r\n".encode()
    parsed = parse(raw)
    assert (parsed.subject, parsed.header("From"), parsed.text) == (
        "Grüße ✓",
        "zoë@exämple.test",
        "ünï ✓\n",
    )


def test_broken_charset_and_base64_do_not_raise() -> None:
    raw = (
        b"Subject: =?no-such-charset?q?x?=\r\nContent-Type: text/plain; charset=klingon\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64\xff\r\n"
    )
    parsed = parse(raw)
    assert parsed.subject == "=?no-such-charset?q?x?="
    assert parsed.text is not None


def test_headline_reads_subject_from_to_and_cc() -> None:
    raw = (
        b"From: App <app@example.test>\r\nTo: a@example.test\r\nCc: =?utf-8?q?Zo=C3=AB?= "
        b"<zoe@example.test>\r\nSubject: Hi\r\n there\r\n\r\nbody\r\n"
    )
    line = headline(raw)
    assert (line.subject, line.sender) == ("Hi there", "App <app@example.test>")
    assert line.recipients == "a@example.test, Zoë <zoe@example.test>"


def test_decode_words_unfolds_and_keeps_undecodable_text() -> None:
    assert decode_words("=?utf-8?q?a?=\r\n =?utf-8?q?b?=") == "ab"
    assert decode_words("plain") == "plain"


@given(st.binary(max_size=2000))
def test_parse_never_raises_on_arbitrary_bytes(raw: bytes) -> None:
    parsed = parse(raw)
    headline(raw)
    assert isinstance(parsed.headers, tuple)


@given(st.text(max_size=500))
def test_parse_never_raises_on_arbitrary_headers_and_parts(text: str) -> None:
    raw = (
        f"Subject: {text}\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n"
        f"--x\r\nContent-Type: {text}\r\nContent-Disposition: attachment; filename={text}\r\n"
        f"\r\n{text}\r\n--x--\r\n"
    ).encode("utf-8", "surrogatepass")
    parse(raw)
    headline(raw)


def test_parts_nested_too_deep_are_attached_whole_with_a_note() -> None:
    # issue 15: 2,000 nested MIME levels made GET /api/v1/mail/<id> a 500
    content = nested(2000)
    parsed = parse(content)
    assert parsed.subject == "deep"
    assert parsed.text is None
    [kept] = parsed.attachments
    assert kept.content_type == "multipart/mixed" and b"hello" in kept.payload
    assert parsed.note == (
        f"MIME parts nest deeper than {MAX_DEPTH} levels: what lies below that is kept "
        "unparsed, as attachments"
    )
    assert (parse(nested(3)).note, parse(nested(3)).text) == (None, "hello")
