"""The regex budget of a lookup or scan: timed-out matches count as no match, are not retried,
and after a few of them no more regexes are tried."""

from pretenders_proxy.matching.budget import Budget
from pretenders_proxy.model.pattern import Pattern

HOSTILE = Pattern("(a|a)*$")
SLOW = "a" * 30 + "!"


def test_a_plain_pattern_needs_no_budget() -> None:
    budget = Budget(0.01)
    assert budget.match(Pattern("GET /x"), "GET /x") is True
    assert budget.match(Pattern("GET /x"), "GET /y") is False
    assert budget.ran_out == []


def test_a_timed_out_match_is_noted_and_not_tried_again() -> None:
    budget = Budget(0.01)
    assert budget.match(HOSTILE, SLOW) is None
    assert budget.ran_out == [(HOSTILE, SLOW)]
    assert budget.match(HOSTILE, SLOW) is None  # from the note: no second wait
    assert budget.ran_out == [(HOSTILE, SLOW)]
    assert budget.match(HOSTILE, "aaa") is True  # another text is tried
    assert budget.patterns() == [HOSTILE]


def test_after_the_limit_no_regex_is_tried() -> None:
    budget = Budget(0.01, limit=2)
    assert budget.search(HOSTILE, SLOW) is None
    assert budget.search(HOSTILE, SLOW + "b") is None
    assert budget.match(Pattern("a+"), "aaa") is None
    assert budget.match(Pattern("a"), "a") is True  # plain patterns always are
    assert "not tried: 2 regexes had already timed out" in budget.why("rule", HOSTILE, "x")


def test_why_says_the_rule_timed_out() -> None:
    budget = Budget(0.01)
    budget.match(HOSTILE, SLOW)
    why = budget.why("rule", HOSTILE, SLOW)
    assert why.startswith("rule timed out: '(a|a)*$' ran over 10 ms on 'aaaa")
    assert why.endswith("counts as no match")
