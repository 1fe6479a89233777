import pytest

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.matching.budget import Budget
from pretenders_proxy.matching.verify import Count, verify
from pretenders_proxy.model.http import Request
from pretenders_proxy.model.journal import Entry, Source
from pretenders_proxy.model.preset import Rule


@pytest.mark.parametrize(
    ("count", "seen", "holds", "described"),
    [
        (Count(), 0, False, "at least 1"),
        (Count(), 3, True, "at least 1"),
        (Count(times=2), 2, True, "exactly 2"),
        (Count(times=2), 3, False, "exactly 2"),
        (Count(times=0), 0, True, "exactly 0"),
        (Count(at_least=2), 1, False, "at least 2"),
        (Count(at_most=1), 0, True, "at most 1"),
        (Count(at_most=1), 2, False, "at most 1"),
        (Count(at_least=1, at_most=3), 3, True, "between 1 and 3"),
    ],
)
def test_counts(count: Count, seen: int, holds: bool, described: str) -> None:
    assert count.holds(seen) is holds
    assert count.describe() == described


@pytest.mark.parametrize(
    "fields", [{"times": -1}, {"times": 1, "at_least": 1}, {"at_least": 3, "at_most": 2}]
)
def test_contradictory_counts_are_refused(fields: dict[str, int]) -> None:
    with pytest.raises(ConfigError):
        Count(**fields)


def entry(n: int, method: str, path: bytes, status: int | None = 200) -> Entry:
    return Entry(n, "s", 0.0, Request(method, path, host="api"), Source.UPSTREAM)


def test_verdict_when_it_holds() -> None:
    entries = [entry(1, "POST", b"/orders"), entry(2, "GET", b"/orders")]
    verdict = verify(Rule("POST /orders"), entries, Count(times=1))
    assert verdict.ok and [e.id for e in verdict.matched] == [1]


def test_too_few_explains_the_nearest_other_request() -> None:
    entries = [entry(1, "POST", b"/order"), entry(2, "GET", b"/zzz")]
    verdict = verify(Rule("POST /orders", host="api"), entries, Count(times=1))
    assert not verdict.ok
    assert verdict.explanation == (
        "Expected exactly 1 request(s) matching rule 'POST /orders', host 'api', but 0 matched.\n"
        "Closest other request: #1 POST http://api/order -> no response (upstream), "
        "which differs in:\n"
        "  - request 'POST /order' does not match rule 'POST /orders'\n"
    )


def test_too_many_lists_what_matched() -> None:
    entries = [entry(i, "GET", b"/a") for i in range(1, 14)]
    verdict = verify(Rule("GET /a"), entries, Count(at_most=1))
    assert verdict.explanation is not None
    assert "but 13 matched.\nMatched:\n  #1 GET http://api/a" in verdict.explanation
    assert "... and 3 more" in verdict.explanation


def test_nothing_received() -> None:
    verdict = verify(Rule("GET /a"), [], Count())
    assert verdict.explanation is not None
    assert verdict.explanation.endswith("No other requests were received.\n")


def test_a_body_rule_missed_on_cut_bodies_says_they_were_cut() -> None:
    cut = Request("POST", b"/items", host="api", body=b'{"tag": "rel')
    entries = [Entry(1, "s", 0.0, cut, Source.MISS, request_size=100_000)]
    verdict = verify(Rule("POST /items", json={"tag": "release"}), entries, Count())
    assert verdict.explanation is not None
    assert verdict.explanation.endswith(
        "Note: 1 request(s) had a body over 64 KiB, of which history keeps only the first 64 KiB;"
        " body, data and json rules were tried on that part alone: #1 (100000 bytes).\n"
    )
    no_body_rule = verify(Rule("GET /other"), entries, Count())
    assert "Note:" not in (no_body_rule.explanation or "")


def test_a_rule_that_times_out_stops_being_tried_and_says_so() -> None:
    # issue 15: a scan over the whole history pays for a few time-outs, not one per request
    entries = [entry(i, "GET", b"/" + b"a" * (30 + i) + b"!") for i in range(1, 11)]
    budget = Budget(0.01, limit=2)
    verdict = verify(Rule("GET /(a|a)*$"), entries, Count(), budget)
    assert len(budget.ran_out) == 2
    assert verdict.explanation is not None
    assert "  - rule timed out: 'GET /(a|a)*$' ran over 10 ms" in verdict.explanation
    assert verdict.explanation.endswith(
        "The rule's regexes timed out (10 ms each) on 2 request(s), counted as no match, "
        "and were not tried on the rest.\n"
    )


def test_too_few_lists_the_differing_values_in_the_ignore_grammar() -> None:
    body = b'{"user": {"name": "ann", "id": 7}, "ts": 1}'
    posted = Request("POST", b"/users", host="api", body=body)
    entries = [Entry(1, "s", 0.0, posted, Source.UPSTREAM)]
    verdict = verify(Rule("POST /users", json={"user": {"name": "bob"}}), entries, Count())
    assert verdict.explanation is not None
    assert verdict.explanation.endswith(
        "  - JSON body differs at $.user.name\n"
        "Values that differ (this request vs the rule):\n"
        '  json:$.user.name: "ann" vs "bob"\n'
    )
