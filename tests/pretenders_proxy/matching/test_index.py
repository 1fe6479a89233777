import random
import re

import pytest

from pretenders_proxy.matching.index import PrefixIndex, exact_lines, literal_prefixes


@pytest.mark.parametrize(
    ("pattern", "prefixes"),
    [
        ("GET /items/42", {"GET /items/42"}),
        (r"^GET /something/([a-z]*)/?", {"GET /something/"}),
        ("(PUT|POST) /x", {"PUT /x", "POST /x"}),
        ("POST", {"POST"}),
        ("", {""}),
        (".*", {""}),
        (".* /test_200", {""}),
        ("(?i)get /x", {""}),
        ("GET /(?i:ab)c", {"GET /"}),
        (r"GET /search\?q=cats", {"GET /search?q=cats"}),
        ("[GP]UT /z", {"GUT /z", "PUT /z"}),
        ("GET /a|POST /b", {"GET /a", "POST /b"}),
        ("GET /x(", {""}),  # not a valid regex: nothing to index
    ],
)
def test_literal_prefixes(pattern: str, prefixes: set[str]) -> None:
    assert literal_prefixes(pattern) == prefixes


def test_candidates_keep_creation_order_across_buckets() -> None:
    index: PrefixIndex[str] = PrefixIndex()
    index.add(1, ".*", "anything")
    index.add(2, "GET /a", "get-a")
    index.add(3, "GET /", "get-root")
    index.add(4, "POST /a", "post-a")
    assert index.candidates("GET /a") == ["anything", "get-a", "get-root"]
    assert index.candidates("POST /a") == ["anything", "post-a"]


def test_removed_items_are_no_longer_candidates() -> None:
    index: PrefixIndex[str] = PrefixIndex()
    index.add(1, "GET /a", "one")
    index.add(2, "GET /a", "two")
    index.remove(1)
    assert index.candidates("GET /a") == ["two"]
    index.remove(2)
    assert index.candidates("GET /a") == []


def test_thousands_of_literal_prefix_rules_yield_few_candidates() -> None:
    index: PrefixIndex[int] = PrefixIndex()
    for i in range(5000):
        index.add(i, f"GET /items/{i}", i)
    # re.match semantics: "GET /items/4" is also a prefix of "GET /items/42".
    assert index.candidates("GET /items/42") == [4, 42]


def test_thousands_of_whole_line_rules_yield_the_one_naming_the_line() -> None:
    index: PrefixIndex[int] = PrefixIndex()
    for i in range(5000):
        index.add(i, f"GET /items/{i}$", i)
    assert index.candidates("GET /items/42") == [42]
    assert index.candidates("GET /items/42\n") == [42]  # `$` matches before a final newline
    assert index.candidates("GET /items/42/x") == []
    assert index._lengths == {}  # no prefix to probe


@pytest.mark.parametrize(
    ("pattern", "lines"),
    [
        ("GET /items/42$", {"GET /items/42", "GET /items/42\n"}),
        (r"GET /items/42\Z", {"GET /items/42"}),
        ("^GET /a$", {"GET /a", "GET /a\n"}),
        ("(GET|HEAD) /a$", {"GET /a", "HEAD /a", "GET /a\n", "HEAD /a\n"}),
        ("GET /[ab]$", {"GET /a", "GET /b", "GET /a\n", "GET /b\n"}),
        (r"GET /search\?q=cats$", {"GET /search?q=cats", "GET /search?q=cats\n"}),
        ("(?x) GET \\ /a $", {"GET /a", "GET /a\n"}),
        ("GET /items/42", None),  # no end anchor: it matches longer lines too
        ("GET /items/\\d+$", None),
        ("(?m)GET /a$", None),  # multiline: `$` matches before any newline
        ("(?i)GET /a$", None),
        ("GET /a$$", None),
        ("GET /(?:a$)", {"GET /a", "GET /a\n"}),  # the parser flattens the group
        ("GET /(a$)", None),  # an anchor inside a group: left to the prefix index
        ("GET /a(", None),  # not a valid regex
        ("", None),
    ],
)
def test_exact_lines(pattern: str, lines: set[str] | None) -> None:
    assert exact_lines(pattern) == (None if lines is None else frozenset(lines))


@pytest.mark.parametrize("pattern", ["GET /items/42$", r"GET /items/42\Z", "(GET|HEAD) /a$"])
def test_exact_lines_are_what_the_regex_matches(pattern: str) -> None:
    lines = exact_lines(pattern) or frozenset()
    tried = {"GET /items/42", "GET /items/42\n", "GET /items/42\n\n", "GET /items/420", "GET /a"}
    tried |= {"HEAD /a", "HEAD /a\n", "GET /a\nx", "get /a"}
    assert {line for line in tried if re.match(pattern, line)} == lines & tried


def test_whole_line_and_prefix_rules_keep_creation_order_together() -> None:
    index: PrefixIndex[str] = PrefixIndex()
    index.add(1, "GET /a$", "exact-a")
    index.add(2, ".*", "anything")
    index.add(3, "GET /a", "prefix-a")
    index.add(4, "GET /a$", "exact-a-again")
    index.add(5, r"GET /a\Z", "exact-a-end")
    assert index.candidates("GET /a") == [
        "exact-a",
        "anything",
        "prefix-a",
        "exact-a-again",
        "exact-a-end",
    ]
    assert index.candidates("GET /a\n") == ["exact-a", "anything", "prefix-a", "exact-a-again"]
    assert index.candidates("GET /ab") == ["anything", "prefix-a"]
    index.remove(1)
    index.remove(5)
    assert index.candidates("GET /a") == ["anything", "prefix-a", "exact-a-again"]
    index.remove(4)
    assert index.candidates("GET /a\n") == ["anything", "prefix-a"]
    assert index._exact == {}


PIECES = [
    "GET",
    "POST",
    " ",
    "/",
    "a",
    "b",
    "1",
    "$",
    r"\Z",
    "^",
    "(a|b)",
    "[ab]",
    r"\d",
    ".*",
    "?",
]
LINES = ["GET /a", "GET /a\n", "GET /ab", "GET /b", "POST /a", "GET /1", "GET /", "GET /a1\n"]


def test_the_index_finds_the_first_match_a_scan_of_every_rule_finds() -> None:
    chooser = random.Random(20)
    for _ in range(300):
        patterns = []
        while len(patterns) < 12:
            text = "".join(chooser.choice(PIECES) for _ in range(chooser.randint(1, 6)))
            try:
                re.compile(text)
            except re.error:
                continue
            patterns.append(text)
        index: PrefixIndex[int] = PrefixIndex()
        for seq, pattern in enumerate(patterns):
            index.add(seq, pattern, seq)
        for line in LINES:
            scanned = [seq for seq, p in enumerate(patterns) if re.match(p, line)]
            found = [seq for seq in index.candidates(line) if re.match(patterns[seq], line)]
            assert found == scanned, (patterns, line)
