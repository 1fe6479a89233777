"""The preset engine: every reason a rule fails, the first match, the nearest miss."""

from pretenders_proxy.matching.engine import failures, first_match, is_match, nearest, nearest_rule
from pretenders_proxy.model.preset import Rule
from tests.pretenders_proxy.factories import seen


def test_failures_lists_every_reason_in_matcher_order() -> None:
    rule = Rule("POST /x", headers={"X": "1"}, host="other")
    assert len(failures(rule, seen())) == 3
    assert is_match(Rule("GET /hello"), seen())


def test_first_match_is_in_order() -> None:
    rules = [Rule("POST"), Rule("GET /h"), Rule(".*")]
    assert first_match(rules, lambda r: r, seen()) is rules[1]
    assert first_match([Rule("POST")], lambda r: r, seen()) is None


def test_nearest_prefers_fewest_failures_then_the_most_similar_rule() -> None:
    rules = [Rule("GET /zzzzz", headers={"X": "1"}), Rule("GET /helo"), Rule("GET /other")]
    subject = seen()
    miss = nearest_rule(rules, lambda r: (r, subject))
    assert miss.closest is rules[1]
    assert miss.failures == ("request 'GET /hello' does not match rule 'GET /helo'",)
    assert nearest_rule([], lambda r: (r, subject)).closest is None


def test_nearest_breaks_ties_by_likeness_then_by_order() -> None:
    texts = {"a": ("abc", "xyz"), "b": ("abc", "abd"), "c": ("abc", "abd")}
    miss = nearest(list(texts), lambda c: ("one reason",), texts.__getitem__)
    assert (miss.closest, miss.failures) == ("b", ("one reason",))
