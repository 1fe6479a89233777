"""Finding one-time codes in a mail's subject, text and HTML, and nothing that is not one."""

import re
import sys
from email.message import EmailMessage

import pytest

from pretenders_proxy.model import code_words, codes
from pretenders_proxy.model.codes import MAX_HTML, MAX_SCAN, find, html_text, in_text
from pretenders_proxy.model.message import parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Your verification code is 123456", ["123456"]),
        ("123456 is your Instagram code", ["123456"]),
        ("Your code is 123 456. It expires in 10 minutes.", ["123456"]),
        ("Your security code: 123-456", ["123456"]),
        ("Enter this one-time passcode: X7K-2QF", ["X7K-2QF"]),
        ("Your OTP is A1B2C3 (valid 5 minutes)", ["A1B2C3"]),
        ("Your PIN: 1987", ["1987"]),
        ("Your PIN number is 4711", ["4711"]),
        ("Use 882211 to sign in", ["882211"]),
        ("Your token: k7x9p2", ["k7x9p2"]),
        ("Ihr Bestätigungscode lautet: 482913", ["482913"]),
        ("Der Code lautet 7391. Kundennummer 12345678", ["7391"]),
        ("Tu código de verificación es 482913", ["482913"]),
        ("Il tuo codice di verifica è 552211", ["552211"]),
        ("Votre code de vérification : 778899", ["778899"]),
        ("認証コード\uff1a\uff11\uff12\uff13\uff14\uff15\uff16", ["123456"]),  # full width
        ("验证码\uff1a654321", ["654321"]),
        ("Your email code: 111222. Your SMS code: 333444.", ["111222", "333444"]),
        ("Your backup codes:\n1234-5678\n2345-6789\n", ["12345678", "23456789"]),
        ("Booking confirmation code: X7K2QF", ["X7K2QF"]),
        ("Security code: 4821932\n\nIf you don't recognize the account ab***@x.test", ["4821932"]),
        ("Login Code\n\nXK7P2\n\nIf this wasn't you, reset your password", ["XK7P2"]),
        ("Ihre TAN lautet 482913", ["482913"]),
        ("Your verification code is 482913\n\nAcme Inc\nPO Box 1234\nSpringfield", ["482913"]),
    ],
)
def test_codes_the_words_call_codes(text: str, expected: list[str]) -> None:
    assert list(in_text(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Your code expires on March 3, 2025",  # a date and a year
        "Your code is valid until 2025-03-14 12:30",
        "Your order confirmation 12345678",
        "Order #12345678 has shipped; the code to track it comes later",
        "Invoice number 2024-0012, a code of conduct applies",
        "Questions about your code? Call 555-1234 or +1 415 555 0199",
        "Card ending in 4242 was charged; verification passed",
        "Verification fee: $1500 or 1500 USD or 1500 €",
        "The code runs in 1440 minutes, 2048 MB",
        "Use promo code SAVE20 for 10% off",
        "Postcode SW1A 1AA, zip code 94107",
        "Code: 4242 4242 4242 4242",
        "Your code: see https://x.test/verify?code=123456 or write to a123456@x.test",
        "The code of our iPhone15 app",
        "Su número de pedido es 12345678 y el código total 1500 EUR",
        "Hello Ann, your payment 88776655 went through.",  # no word of codes at all
        "A new sign-in on 12/03/2025 at 10:45 from 192.168.1.20 (Berlin). Device ID: 8812345",
    ],
)
def test_numbers_that_are_not_codes(text: str) -> None:
    assert list(in_text(text)) == []


def test_a_code_on_a_line_of_its_own_may_be_further_from_its_words() -> None:
    text = (
        "Please use the following code to verify your email address.\n\n"
        "482913\n\nThis code expires in 10 minutes. If you did not ask for it, ignore this mail."
    )
    assert list(in_text(text)) == ["482913"]


def test_words_in_another_sentence_do_not_make_a_code() -> None:
    assert list(in_text("Your code is 123456. Questions? 555-1234.")) == ["123456"]


def test_html_is_read_as_text_without_styles_attributes_or_links() -> None:
    html = (
        "<html><head><title>Code 111111</title><style>.x { color: #123456; width: 6000px }"
        "</style></head><body><p>Your code is <strong>482&nbsp;913</strong></p>"
        '<img alt="code 222222" src="https://cdn.test/555555.png">'
        '<a href="https://x.test/confirm?code=333333">Confirm</a></body></html>'
    )
    assert html_text(html).split("\n") == ["", "Your code is 482 913", "Confirm"]
    assert find("", None, html) == ("482913",)


def test_subject_text_and_html_in_that_order_without_repeats() -> None:
    subject = "Your Acme code is 246810"
    text = "Hi Ann,\n\nYour code is 246810.\nYour recovery code is 135790.\n"
    html = "<p>Your code is <b>246810</b></p><p>Your recovery code is <b>135790</b></p>"
    assert find(subject, text, html) == ("246810", "135790")
    assert find("", None, None) == ()


def test_only_the_first_characters_are_read() -> None:
    early = "Your code is 123456. " + "x" * (MAX_SCAN - 40)
    assert list(in_text(early)) == ["123456"]
    late = "x " * (MAX_SCAN // 2) + "Your code is 654321"
    assert list(in_text(late)) == []
    assert find("", None, "<p>" + "x" * MAX_HTML + "Your code is 654321</p>") == ()


@pytest.mark.parametrize(
    "filler",
    ["1", "1 ", "A1-", "code 1234 ", "1.2,", "<b>1</b>"],
)
def test_hostile_mail_of_25_mb_is_read_only_up_to_the_cap(filler: str) -> None:
    """Runs in bounded time by construction: the caps below, and no unbounded regex repeat."""
    hostile = filler * (25_000_000 // len(filler))
    assert isinstance(find(hostile, hostile, hostile), tuple)


def _unbounded(parsed: object) -> list[object]:
    """The repeats of a parsed regex (re._parser) that have no upper bound."""
    constants = sys.modules["re._constants"]
    repeats = {constants.MAX_REPEAT, constants.MIN_REPEAT, constants.POSSESSIVE_REPEAT}
    found: list[object] = []
    for op, argument in getattr(parsed, "data", []):
        if op in repeats and argument[1] == constants.MAXREPEAT:
            found.append((op, argument))
        items = argument if isinstance(argument, tuple | list) else [argument]
        for item in items:
            for inner in item if isinstance(item, list) else [item]:
                if hasattr(inner, "data"):
                    found += _unbounded(inner)
    return found


@pytest.mark.parametrize(
    "pattern", [codes._CANDIDATE, codes._AFTER, codes._SENTENCE_END, code_words.CUES]
)
def test_every_repeat_is_bounded_so_scanning_is_linear(pattern: re.Pattern[str]) -> None:
    parser = sys.modules["re._parser"]
    assert _unbounded(parser.parse(pattern.pattern, pattern.flags)) == []
    assert _unbounded(parser.parse("a+(?:b|c*)", 0)) != []  # the check sees unbounded ones


def message(subject: str, text: str | None, html: str | None = None) -> bytes:
    mail = EmailMessage()
    mail["Subject"], mail["From"], mail["To"] = subject, "app@acme.test", "ann@example.test"
    if text is not None:
        mail.set_content(text)
    if html is not None:
        mail.add_alternative(html, subtype="html") if text else mail.set_content(html, "html")
    return mail.as_bytes()


ENGLISH = message(
    "[Acme] Please verify your device",
    "Hey ann!\n\nA sign in attempt requires further verification because we did not recognize "
    "your device. To complete the sign in, enter the verification code on the unrecognized "
    "device.\n\nDevice: Firefox on Linux\nVerification code: 482913\n\nIf you did not attempt to "
    "sign in, change your password: https://acme.test/settings/security?ref=1234567\n\n"
    "Thanks,\nThe Acme Team\n\nAcme, Inc. 88 Colin P Kelly Jr Street, San Francisco, CA 94107\n",
)
GERMAN_QUOTED_PRINTABLE = (
    b"Subject: =?utf-8?q?Ihr_Best=C3=A4tigungscode?=\r\nFrom: shop@beispiel.test\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    b"Hallo Anna,\r\n\r\nIhr Best=C3=A4tigungscode lautet: 739 155. Er ist 15 Minuten g=C3=BCl=\r\n"
    b"tig.\r\n\r\nIhre Kundennummer: 12345678\r\nTelefon: 030 12345678\r\n"
)
SPANISH_HTML = message(
    "Confirma tu cuenta",
    None,
    "<html><head><style>td { padding: 24px; color: #102030 } .c { width: 600px }</style></head>"
    '<body><table width="600"><tr><td><h1>Hola Ana</h1><p>Tu código de verificación es:</p>'
    '</td></tr><tr><td style="font-size:32px;letter-spacing:8px"><strong>502814</strong></td>'
    "</tr><tr><td>Pedido nº 12345678 · Total 1.234,50 €</td></tr>"
    '<tr><td><a href="https://tienda.test/confirmar?codigo=502814&id=99887766">Confirmar</a>'
    "</td></tr></table></body></html>",
)
RECEIPT = message(
    "Your receipt from Acme, Inc. #1849-2231",
    "Receipt from Acme, Inc.\nReceipt #1849-2231\n\nAmount paid: $20.00\nDate paid: "
    "January 5, 2025\nPayment method: Visa - 4242\n\nOrder number: 40028922\nPro plan x 1  $20.00"
    "\nUse promo code SPRING25 for 10% off your next order.\n\nQuestions? Call us at "
    "+1 415-555-0199 or reply to this email.\n",
    "<p>Receipt #1849-2231</p><table><tr><td>Amount paid</td><td>$20.00</td></tr>"
    "<tr><td>Date paid</td><td>January 5, 2025</td></tr><tr><td>Order number</td>"
    "<td>40028922</td></tr></table><p>Use promo code <b>SPRING25</b> for 10% off.</p>"
    '<p><a href="https://pay.acme.test/receipts/1849-2231/verify?code=123456">View receipt</a>'
    "</p><p>© 2025 Acme, Inc.</p>",
)
CODE_IN_SUBJECT = message("482913 is your Acme login code", "Welcome back, Ann.\n")
PASSCODE_HTML_AND_TEXT = message(
    "Your one-time passcode",
    "Your one-time passcode is X7K-2QF. It works once.\n",
    "<p>Your one-time passcode is <strong>X7K-2QF</strong>. It works once.</p>",
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (ENGLISH, ("482913",)),
        (GERMAN_QUOTED_PRINTABLE, ("739155",)),
        (SPANISH_HTML, ("502814",)),
        (RECEIPT, ()),
        (CODE_IN_SUBJECT, ("482913",)),
        (PASSCODE_HTML_AND_TEXT, ("X7K-2QF",)),
    ],
)
def test_the_codes_of_real_looking_mails(raw: bytes, expected: tuple[str, ...]) -> None:
    assert parse(raw).codes == expected
