"""A user's regex (rules, SMTP recipients, filters): read exactly as Python's `re` reads it, and
run by the `regex` package, which can stop a match that backtracks for too long (issue 15).
A pattern that cannot backtrack (no repeat, group or branch) is matched by `re` itself."""

import re
from collections.abc import Callable
from re import _constants as sre  # type: ignore[attr-defined]  # the parser's, stable since 3.11
from re import _parser as sre_parse  # type: ignore[attr-defined]

import regex

_QUANTIFIER = re.compile(r"\{(?:[0-9]+(?:,[0-9]*)?|,[0-9]*)\}")
"""A brace `re` reads as a repeat; any other brace is a literal to `re` (but may be a fuzzy
constraint, `{e<=1}`, to `regex`)."""
_FLAT = frozenset({sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN, sre.AT, sre.CATEGORY})
"""Parsed items that never backtrack: a pattern of only these runs in time bounded by its size."""


class Pattern:
    """A compiled user regex; `match` and `search` say True, False, or None: out of time."""

    __slots__ = ("compiled", "is_flat", "quick", "text")

    def __init__(self, text: str, *, ignore_case: bool = False) -> None:
        """Compile `text` as `re` would (re.error as `re` raises it)."""
        flags = re.IGNORECASE if ignore_case else 0
        checked = re.compile(text, flags)  # what re refuses is refused, with re's own words
        parsed = sre_parse.parse(text, flags)
        self.text = text
        verbose = bool(checked.flags & re.VERBOSE)
        try:
            self.compiled = regex.compile(for_regex(text, verbose), regex.V0 | flags)
        except regex.error as e:  # not expected once re accepted it: said as re would
            raise re.error(str(e)) from None
        self.is_flat = all(op in _FLAT for op, _ in parsed)
        """No repeats, groups or branches: a match costs at most the pattern's length."""
        self.quick: Callable[[str], re.Match[str] | None] | None = (
            checked.match if self.is_flat else None
        )
        """`re`'s match of a flat pattern: no budget needed, and `re` is the quicker engine."""

    def match(self, string: str, seconds: float) -> bool | None:
        """Whether `string` starts with a match (re.match); None: not decided in `seconds`."""
        if self.quick is not None:
            return self.quick(string) is not None
        try:
            return self.compiled.match(string, timeout=seconds) is not None
        except TimeoutError:
            return None

    def search(self, string: str, seconds: float) -> bool | None:
        """Whether `string` holds a match anywhere (re.search); None: not decided in time."""
        try:
            return self.compiled.search(string, timeout=seconds) is not None
        except TimeoutError:
            return None

    def __repr__(self) -> str:
        return f"Pattern({self.text!r})"


def for_regex(text: str, verbose: bool = False) -> str:
    """`text` rewritten so that `regex` (VERSION0) reads it as `re` does: the braces `re` takes
    literally are escaped (`regex` would read `{e<=1}` or `{id}` as a fuzzy constraint), and so
    are the brackets inside a set (`regex` would read `[[:alpha:]]` as a POSIX class)."""
    out: list[str] = []
    at, end = 0, len(text)
    while at < end:
        char = text[at]
        if char == "\\":
            step = _escape_end(text, at)
        elif char == "[":
            step = _set_end(text, at)
            out.append(_escaped_brackets(text[at:step]))
            at = step
            continue
        elif char == "{" and not _QUANTIFIER.match(text, at):
            out.append("\\{")
            at += 1
            continue
        elif text.startswith("(?#", at):  # a comment, up to the first ")"
            step = text.find(")", at) + 1 or end
        elif verbose and char == "#":  # a comment, up to the end of the line
            step = text.find("\n", at) + 1 or end
        else:
            step = at + 1
        out.append(text[at:step])
        at = step
    return "".join(out)


def _escape_end(text: str, at: int) -> int:
    """Where the escape starting at `at` ends (`\\N{NAME}` is one escape)."""
    if text.startswith("N{", at + 1):
        return text.find("}", at) + 1 or len(text)
    return min(at + 2, len(text))


def _set_end(text: str, at: int) -> int:
    """Where the set starting at `at` ends, just past its `]` (a `]` first in it is literal)."""
    step = at + 1
    if text.startswith("^", step):
        step += 1
    if text.startswith("]", step):
        step += 1
    while step < len(text) and text[step] != "]":
        step = _escape_end(text, step) if text[step] == "\\" else step + 1
    return min(step + 1, len(text))


def _escaped_brackets(chars: str) -> str:
    """A set with the `[`s in it (after the opening one) escaped."""
    out, step = [chars[0]], 1
    while step < len(chars):
        if chars[step] == "\\":
            following = _escape_end(chars, step)
            out.append(chars[step:following])
            step = following
        else:
            out.append("\\[" if chars[step] == "[" else chars[step])
            step += 1
    return "".join(out)
