"""User regexes: read as `re` reads them, matched by `regex` with a time budget (issue 15)."""

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pretenders_proxy.model.pattern import Pattern, for_regex

HOSTILE = "GET /(a|a)*$"
"""Backtracks exponentially in both engines (`regex` cuts `(a+)+` short, not this)."""
HOSTILE_LINE = "GET /" + "a" * 30 + "!"

RULES_1_4 = [
    "",
    ".*",
    "GET /a",
    "POST",
    "GET /items/42$",
    r"GET /items/\d+$",
    "(PUT|POST) /test_put_or_post",
    ".* /test_star",
    r"POST /x\?a=1&b=2",
    r"^GET /api/v1/users/[0-9a-f-]{36}$",
    "(?i)get /case",
    r"GET /(?P<name>\w+)/(?P=name)",
    "GET /files/.+\\.json",
    "1.*",
    "one=first",
    r"\s*{\s*\"a\"",
    "GET /users/{id}",
    "GET /path/{employee_id}/x",
]
LINES = [
    "GET /a",
    "GET /items/42",
    "GET /items/420",
    "GET /items/x",
    "POST /test_put_or_post",
    "PUT /test_put_or_post?x=1",
    "DELETE /test_star",
    "POST /x?a=1&b=2",
    "GET /api/v1/users/123e4567-e89b-12d3-a456-426614174000",
    "get /CASE",
    "GET /bob/bob",
    "GET /files/a.json",
    "123",
    "one=first&two=second",
    ' {  "a": 1}',
    "GET /users/{id}",
    "GET /users/7",
    "GET /path/{employee_id}/x",
    "",
]


@pytest.mark.parametrize("rule", RULES_1_4)
def test_1_4_rules_match_exactly_as_re_matches_them(rule: str) -> None:
    pattern = Pattern(rule)
    for line in LINES:
        assert pattern.match(line, 1.0) is (re.match(rule, line) is not None), line
        assert pattern.search(line, 1.0) is (re.search(rule, line) is not None), line


@pytest.mark.parametrize(
    ("text", "rewritten"),
    [
        ("GET /users/{id}", r"GET /users/\{id}"),  # regex: a fuzzy constraint
        ("a{e<=1}", r"a\{e<=1}"),
        ("a{}", r"a\{}"),
        ("a{2}b{1,}c{,3}d{,}", "a{2}b{1,}c{,3}d{,}"),  # repeats stay repeats
        ("[[:alpha:]]", r"[\[:alpha:]]"),  # regex: a POSIX class
        ("[]{]x", "[]{]x"),  # a ] first in a set is literal, and so is { in a set
        (r"\N{DIGIT ONE}{2}", r"\N{DIGIT ONE}{2}"),
        ("(?# [ {e )a", "(?# [ {e )a"),  # comments are left alone
        ("(?x) a # [ {e\n b{2}", "(?x) a # [ {e\n b{2}"),
        (r"\{e\[", r"\{e\["),
    ],
)
def test_what_regex_would_read_otherwise_is_escaped(text: str, rewritten: str) -> None:
    assert for_regex(text, "(?x)" in text) == rewritten


_TOKENS = [
    "a", "b", ".", "*", "+", "?", "*?", "|", "(", ")", "(?:", "[", "]", "^", "$", "{", "}",
    "{2}", "{1,2}", ",", "-", ":", "\\d", "\\w", "\\s", "\\b", "\\A", "\\Z", "(?=", "(?!",
    "(?<=", "(?P<n>", "(?P=n)", "\\1", "(?i)", "e", "<", "=", "#", " ", "\\[", "(?>", "++",
    "[:", ":]", "(?x)", "\n", "(?#", "{e<=1}", "{}", "[^",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=8).map("".join),
    st.lists(st.text("ab{}[]:-e<=1 \n", min_size=1, max_size=7), min_size=1, max_size=4),
)
def test_any_pattern_re_accepts_matches_as_re_matches(text: str, lines: list[str]) -> None:
    try:
        expected = re.compile(text)
    except (re.error, FutureWarning):
        return
    pattern = Pattern(text)
    for line in lines:  # not the empty line: \B matches it for regex, not for re
        found = expected.match(line)
        got = pattern.compiled.match(line, timeout=1)
        assert (got and got.group(0)) == (found and found.group(0)), (line, for_regex(text))


def test_what_re_refuses_is_refused_in_its_words() -> None:
    with pytest.raises(re.error, match="missing \\), unterminated subpattern"):
        Pattern("(")
    with pytest.raises(re.error, match="look-behind requires fixed-width pattern"):
        Pattern("(?<=a+)b")


@pytest.mark.parametrize(
    ("text", "flat"),
    [("GET /items/42$", True), (r"GET /\d\d", True), ("", True), ("GET /.*", False)],
)
def test_only_patterns_that_cannot_backtrack_go_without_a_budget(text: str, flat: bool) -> None:
    assert Pattern(text).is_flat is flat


def test_a_match_that_runs_out_of_time_says_none_within_its_budget() -> None:
    pattern = Pattern(HOSTILE)
    started = time.perf_counter()
    assert pattern.match(HOSTILE_LINE, 0.05) is None
    assert pattern.search(HOSTILE_LINE, 0.05) is None
    assert time.perf_counter() - started < 5  # not the minutes re would take


def test_the_issue_rule_is_no_match_at_once() -> None:
    # the rule of issue 15 (9 s with re): regex sees through nested repeats of one thing
    assert Pattern("GET /(a+)+$").match("GET /" + "a" * 27 + "!", 0.05) is False


def test_ignore_case() -> None:
    assert Pattern("^Bob@", ignore_case=True).search("bob@example.test", 1.0) is True
