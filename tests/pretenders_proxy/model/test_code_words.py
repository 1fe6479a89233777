"""The words near a number that say whether it is a one-time code."""

import pytest

from pretenders_proxy.model.code_words import CUES, is_code_word


def kinds(text: str) -> list[tuple[str, bool]]:
    """Each word found, and whether it says code."""
    return [(m.group(), is_code_word(m)) for m in CUES.finditer(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Your verification code", [("verification", True), ("code", True)]),
        ("Ihr Sicherheitscode", [("code", True)]),
        ("Bestätigungscode", [("Bestätigungscode", True)]),
        ("Bestellbestätigung", [("Bestellbestätigung", False)]),
        ("order confirmation", [("order confirmation", False)]),
        ("Booking confirmation code", [("Booking confirmation", False), ("code", True)]),
        ("promo code", [("promo code", False)]),
        ("barcode, postcode, encode", [("barcode", False), ("postcode", False), ("encode", False)]),
        ("PIN number", [("PIN number", True)]),
        ("phone number", [("phone", False), ("number", False)]),
        ("pink spinning", []),
        ("2FA, 2-step, 12fa", [("2FA", True), ("2-step", True)]),
        ("Kundennummer, Rufnummer", [("Kundennummer", False), ("nummer", False)]),
        ("código postal, código", [("código postal", False), ("código", True)]),
        ("認証コード", [("認証", True), ("コード", True)]),
        ("注文番号", [("注文", False)]),
    ],
)
def test_words_of_codes_and_of_other_things(text: str, expected: list[tuple[str, bool]]) -> None:
    assert kinds(text) == expected
