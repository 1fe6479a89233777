"""Links in a mail: the http(s) URLs of its text, and the hrefs and URLs of its HTML."""

import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser

_URL = re.compile(r"https?://[^\s<>\"'\[\]{}|\\^`]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\""


def in_text(text: str) -> Iterator[str]:
    """The URLs written in `text`, without the punctuation that ends a sentence."""
    for match in _URL.finditer(text):
        url = match.group().rstrip(_TRAILING)
        while url.endswith(")") and url.count("(") < url.count(")"):
            url = url[:-1].rstrip(_TRAILING)
        yield url


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("a", "area"):
            for name, value in attrs:
                if name == "href" and value and _URL.match(value.strip()):
                    self.found.append(value.strip())

    def handle_data(self, data: str) -> None:
        self.found.extend(in_text(data))


def in_html(html: str) -> list[str]:
    """The http(s) hrefs of <a> and <area>, and URLs written in the text, in document order."""
    parser = _Anchors()
    parser.feed(html)
    parser.close()
    return parser.found


def find(text: str | None, html: str | None) -> tuple[str, ...]:
    """Every distinct link of a mail's text and HTML bodies, in order of appearance."""
    found: Iterable[str] = [*in_text(text or ""), *(in_html(html) if html else ())]
    return tuple(dict.fromkeys(found))
