"""The words that say a number near them is a one-time code, or that it is something else.

One regex, tried at each letter in this order: at the start of a word, phrases that are codes
although they hold a word of the other list, the words of things that are not codes, the words
of codes; then anywhere, the ends of compounds (Kundennummer, Sicherheitscode) and CJK words.
"""

import re

LETTER = r"[^\W\d_]"
"""A letter of any script."""
START = r"(?<![^\W_])"
"""Not inside a word (of letters and digits)."""
END = rf"(?!{LETTER})"
REST = rf"{LETTER}{{0,20}}"
"""The rest of a word a stem begins (bounded, as every repeat here: see codes.py)."""


def _words(*fragments: str, end: bool = False) -> str:
    return "(?:" + "|".join(fragments) + ")" + (END if end else "")


CODE_PHRASES = [
    _words(r"pin[ -]?(?:numbers?|nummer|n[úu]mero)", r"verification numbers?", end=True),
]

NOT_CODE = [
    # Codes that are not one-time codes: promotions, places, things.
    _words(
        r"(?:promo(?:tional)?|coupon|discount|voucher|gift|referral|zip|postal|post|area|country"
        r"|dialing|source|qr|bar|product|item|tracking|tax|sort|swift|bank|error|status|html"
        r")[ -]?codes?",
        r"(?:en|de|uni|op|geo)codes?",
        r"code[ -](?:promo|postal|postale|fiscale)",
        r"codice (?:fiscale|postale|sconto|promo)",
        r"c[óo]digo (?:postal|promocional|de descuento|de cup[óo]n|de barras)",
        rf"(?:gutschein|rabatt|aktions|promo)code{REST}",
    ),
    # Orders, payments and references, whose own confirmation is not a code either.
    _words(
        rf"(?:order|booking|reservation|payment|purchase|subscription)[ -]?confirm{REST}",
        r"orders?",
        r"invoices?",
        r"receipts?",
        r"reference",
        r"refs?",
        r"tracking",
        r"shipment",
        r"customer",
        r"tickets?",
        r"transaction",
        r"ids?",
        r"numbers?",
        r"no\.",
        r"nr\.?",
        r"n[º°]",
        r"sku",
        r"serial",
        r"version",
        r"model",
        r"isbn",
        r"iban",
        r"box",
        r"street",
        r"suite",
        end=True,
    ),
    _words(
        r"phones?",
        r"tel",
        r"telephone",
        r"mobile",
        r"call(?:s|ed|ing)?",
        r"fax",
        r"whatsapp",
        r"ending in",
        r"price",
        r"total",
        r"subtotal",
        r"amount",
        r"paid",
        r"charged",
        r"payment",
        r"cost",
        r"fees?",
        r"tax",
        r"vat",
        end=True,
    ),
    # German, Spanish, Italian, French, Portuguese: orders, invoices, numbers, prices.
    _words(
        rf"(?:bestell|rechnung|kunden|auftrag|referenz|telefon|betrag|summe|preis|gesamt|sendung"
        rf"|artikel|postleitzahl|pedido|factura|fatura|referencia|importe|precio|recibo|cup[óo]n"
        rf"|descuento|ordine|fattura|riferimento|importo|prezzo|totale|sconto|buono|ricevuta"
        rf"|commande|facture|r[ée]f[ée]rence|montant|prix|re[çc]u|encomenda){REST}",
        r"plz",
        r"n[úu]mero",
        r"numero",
        r"num[ée]ro",
        r"tel[ée]fono",
        r"t[ée]l[ée]phone",
        end=True,
    ),
]

NOT_CODE_INSIDE = [
    _words(r"nummer"),
    # Japanese and Chinese: order, invoice, telephone, amount, total, post.
    _words(*("注文", "請求", "電話", "金額", "合計", "郵便", "订单", "訂單", "电话")),
]

CODE = [
    _words(
        r"(?:one|single)[ -]?time",
        r"otp",
        r"pins?",
        r"tan",
        r"2fa",
        r"mfa",
        r"two[ -](?:factor|step)",
        r"2-step",
        r"tokens?",
        r"sign[ -]?in",
        r"log[ -]?in",
        r"temporary password",
        r"kod(?:u|en|em|y)?",
        r"c[óo]digos?",
        r"codice",
        r"clave",
        end=True,
    ),
    # Stems: verify, verification, vérifier, verificación, verifica, verificatie, confirm...
    _words(
        rf"(?:v[ée]rifi|verifizier|confirm|conferm|authenticat|activat|best[äa]tig|einmal"
        rf"|anmeld|bevestig|weryfik|doğrula|подтвер){REST}",
        r"пароль",
        r"код",
    ),
]

CODE_INSIDE = [
    # Compounds end in the word: passcode, Sicherheitscode, verificatiecode, bekræftelseskode.
    _words(r"codes?", r"kode"),
    _words(
        *("コード", "認証", "確認", "ワンタイム", "パスワード", "暗証番号", "验证", "驗證"),
        *("校验码", "动态码", "인증", "코드"),
    ),
]

# Only a letter (or the 2 of 2FA, 2-step) may begin a word here; with that said first and one
# lookbehind for all the words that begin one, the scan is 2-40 times faster than with each
# word's own lookbehind (100,000 characters of prose 72 -> 36 ms, of digits 196 -> 5 ms).
CUES = re.compile(
    "(?={letter}|2[f-])(?:{start}(?:(?P<code>{})|(?P<other>{})|(?P<code_word>{}))"
    "|(?P<other_inside>{})|(?P<code_inside>{}))".format(
        *("|".join(CODE_PHRASES), "|".join(NOT_CODE), "|".join(CODE)),
        *("|".join(NOT_CODE_INSIDE), "|".join(CODE_INSIDE)),
        letter=LETTER,
        start=START,
    ),
    re.IGNORECASE,
)
"""A match's group named `other...` is set for a word of things that are not codes."""


def is_code_word(match: re.Match[str]) -> bool:
    """Whether a match of CUES is a word of codes (else of things that are not codes)."""
    return not (match.lastgroup or "").startswith("other")
