import pytest

from pretenders_proxy.matching.index import PrefixIndex, literal_prefixes


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


def test_thousands_of_literal_rules_yield_few_candidates() -> None:
    index: PrefixIndex[int] = PrefixIndex()
    for i in range(5000):
        index.add(i, f"GET /items/{i}$", i)
    # re.match semantics: "GET /items/4" is also a prefix of "GET /items/42".
    assert index.candidates("GET /items/42") == [4, 42]
