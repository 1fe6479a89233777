"""One-time codes in a mail: digit or letter-and-digit codes that the words nearest them call a
code (code, OTP, PIN, verification, Bestätigungscode, código, コード...), in the subject, the text
and the HTML (as text). Pure; what is scanned is capped and every regex repeat is bounded.
"""

import bisect
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from pretenders_proxy.model.code_words import CUES, is_code_word

MAX_SCAN = 100_000
"""Characters of each of subject, text and HTML-as-text looked at (codes come early)."""
MAX_HTML = 200_000
"""Characters of HTML turned into text."""

# Every repeat is bounded, so each position costs at most a few dozen steps: linear in the
# text (tests/pretenders_proxy/model/test_codes.py checks the patterns for unbounded repeats).
_WORD_CHAR = "0-9A-Za-z_À-ɏ"
_CANDIDATE = re.compile(
    rf"(?<![{_WORD_CHAR}@#$€£¥₹+*•·/\\-])(?<![0-9][.,:/ -])"
    r"(?:(?P<digits>[0-9]{3,5}[ -][0-9]{3,5}|[0-9]{4,10})"
    r"|(?P<mixed>[0-9A-Za-z]{2,8}-[0-9A-Za-z]{2,8}|[0-9A-Za-z]{4,12}))"
    rf"(?![{_WORD_CHAR}@%€$£¥₹*])(?![.,:/-][0-9A-Za-z])(?! [0-9])"
)
_AFTER = re.compile(
    r" ?(?:[%€$£¥₹]|(?:usd|eur|gbp|jpy|chf|cad|aud|inr|sek|nok|dkk|pln|ms|s|secs?|seconds?"
    r"|mins?|minutes?|h|hours?|days?|kb|mb|gb|km|kg|mg|px|pts?|points)(?![0-9a-z]))",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?。](?:\s|$)|\n[ \t]{0,80}\n")  # NFKC made full-width ones ASCII
_BEFORE_SIGNS = "$€£¥₹#*•·+"
_AROUND_ALONE = " \t\xa0:*->.,\u2013\u2014"

INLINE = (80, 40)
"""How far (characters before, after) a word may be from a code written in a sentence."""
ALONE = (160, 100)
"""... and from a code on a line of its own ("Your code:\\n\\n123456\\n\\nIt expires...")."""
YEAR_GAP = 8
"""A 19xx/20xx number is a code only right after a code word ("PIN: 1987", not a date)."""


@dataclass(frozen=True, slots=True)
class _Cue:
    start: int
    end: int
    is_code: bool


def find(subject: str, text: str | None, html: str | None) -> tuple[str, ...]:
    """Every distinct code of the subject, the text body and the HTML body, in that order."""
    passages = (subject, text or "", html_text(html[:MAX_HTML]) if html else "")
    return tuple(dict.fromkeys(code for passage in passages for code in in_text(passage)))


def in_text(text: str) -> Iterator[str]:
    """The distinct codes written in `text` (its first MAX_SCAN characters), in order; none in
    links or addresses."""
    text = _without_links(unicodedata.normalize("NFKC", text[:MAX_SCAN]))
    cues = [_Cue(m.start(), m.end(), is_code_word(m)) for m in CUES.finditer(text) if m.group()]
    ends = [cue.end for cue in cues]
    found: set[str] = set()
    for match in _CANDIDATE.finditer(text):
        code = match.group()
        code = code.replace(" ", "").replace("-", "") if match.lastgroup == "digits" else code
        if code not in found and _is_code(text, match, cues, ends):
            found.add(code)
            yield code


def _without_links(text: str) -> str:
    """`text` with each URL and mail address made one space (a code is never inside one)."""

    def plain(line: str) -> str:
        if "@" not in line and "://" not in line and "www." not in line:
            return line
        words = line.split()
        return " ".join(" " if "@" in w or "://" in w or w.startswith("www.") else w for w in words)

    return "\n".join(plain(line) for line in text.split("\n"))


def _is_code(text: str, match: re.Match[str], cues: list[_Cue], ends: list[int]) -> bool:
    start, end = match.span()
    if match.lastgroup == "mixed" and not _is_mixed(match.group()):
        return False
    if text[max(0, start - 2) : start].rstrip(" \xa0")[-1:] in tuple(_BEFORE_SIGNS):
        return False
    if _AFTER.match(text, end):
        return False
    nearest = _nearest_cue(text, start, end, cues, ends, _is_alone(text, start, end))
    if nearest is None or not nearest.is_code:
        return False
    if match.group().isdigit() and len(match.group()) == 4 and 1900 <= int(match.group()) < 2100:
        gap = text[nearest.end : start]
        return nearest.end <= start and len(gap) <= YEAR_GAP and not any(c.isdigit() for c in gap)
    return True


def _is_mixed(token: str) -> bool:
    """Letters and digits, the letters all of one case (X7K-2QF, a1b2c3; not iPhone15)."""
    letters = [c for c in token if c.isalpha()]
    has_digit = any(c.isdigit() for c in token)
    one_case = all(c.isupper() for c in letters) or all(c.islower() for c in letters)
    return bool(letters) and has_digit and one_case and len(token.replace("-", "")) >= 4


def _is_alone(text: str, start: int, end: int) -> bool:
    """Whether the candidate is the only thing on its line but for punctuation."""
    before = text[max(0, start - 20) : start]
    after = text[end : end + 20]
    head = before.rsplit("\n", 1)
    tail = after.split("\n", 1)
    return (
        (len(head) == 2 or start <= 20)
        and (len(tail) == 2 or end + 20 >= len(text))
        and not head[-1].strip(_AROUND_ALONE)
        and not tail[0].strip(_AROUND_ALONE)
    )


def _nearest_cue(
    text: str, start: int, end: int, cues: list[_Cue], ends: list[int], alone: bool
) -> _Cue | None:
    """The word nearest the candidate within reach, in its sentence, on a tie the one before;
    for a candidate alone on its line, the nearest before it, if any, wins (it introduces it)."""
    reach_before, reach_after = ALONE if alone else INLINE
    index = bisect.bisect_right(ends, start)
    before = cues[index - 1] if index > 0 else None
    after = next((cue for cue in cues[index : index + 3] if cue.start >= end), None)
    if before and not _near(text, before.end, start, reach_before, alone):
        before = None
    if after and not _near(text, end, after.start, reach_after, alone):
        after = None
    if before is None or after is None:
        return before or after
    if alone or start - before.end <= after.start - end:
        return before
    return after


def _near(text: str, start: int, end: int, reach: int, alone: bool) -> bool:
    """Whether text[start:end] is short enough, and (unless alone) ends no sentence."""
    return end - start <= reach and (alone or _SENTENCE_END.search(text, start, end) is None)


class _Text(HTMLParser):
    """HTML as a reader sees it: block elements make lines, styles and scripts say nothing."""

    BLOCKS = frozenset(
        {
            *("address", "article", "aside", "blockquote", "br", "center", "dd", "div", "dl"),
            *("dt", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5"),
            *("h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table"),
            *("tbody", "td", "tfoot", "th", "thead", "tr", "ul"),
        }
    )
    SILENT = frozenset({"style", "script", "template", "noscript", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.silent = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SILENT:
            self.silent += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SILENT:
            self.silent = max(0, self.silent - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.silent:
            words = " ".join(data.split())
            edge_before = " " if data[:1].isspace() else ""
            edge_after = " " if data[-1:].isspace() and words else ""
            self.parts.append(edge_before + words + edge_after)


def html_text(html: str) -> str:
    """The text of an HTML body: what it shows, one line per block, whitespace collapsed."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)
