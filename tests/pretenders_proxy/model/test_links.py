"""Finding the links of a mail's text and HTML."""

import pytest

from pretenders_proxy.model.links import find, in_html, in_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Go to https://a.test/x.", ["https://a.test/x"]),
        ("(see http://a.test/y)", ["http://a.test/y"]),
        ("wiki https://w.test/Foo_(bar), then", ["https://w.test/Foo_(bar)"]),
        ("<https://a.test/?q=1&r=2>", ["https://a.test/?q=1&r=2"]),
        ("none here, ftp://a.test", []),
        ("HTTPS://A.TEST/UP!", ["HTTPS://A.TEST/UP"]),
    ],
)
def test_urls_in_text(text: str, expected: list[str]) -> None:
    assert list(in_text(text)) == expected


def test_hrefs_are_unescaped_and_text_urls_found_in_html() -> None:
    html = (
        '<a href="https://a.test/r?x=1&amp;y=2">go</a><a href="#top">top</a>'
        '<a href="mailto:x@a.test">mail</a><area href=" https://a.test/map ">'
        "<p>or https://b.test/p</p>"
    )
    assert in_html(html) == ["https://a.test/r?x=1&y=2", "https://a.test/map", "https://b.test/p"]


def test_find_merges_text_and_html_without_repeats() -> None:
    assert find("https://a.test/1 https://a.test/2", '<a href="https://a.test/2">2</a>') == (
        "https://a.test/1",
        "https://a.test/2",
    )
    assert find(None, None) == ()
