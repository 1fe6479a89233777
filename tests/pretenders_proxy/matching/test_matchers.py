import json as jsonlib

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.matching import matchers
from pretenders_proxy.matching.budget import Budget
from pretenders_proxy.matching.engine import failures, is_match
from pretenders_proxy.matching.subject import Subject
from pretenders_proxy.model.http import Request
from pretenders_proxy.model.preset import Rule
from tests.pretenders_proxy.factories import seen


@pytest.mark.parametrize(
    ("rule", "request_line", "matches"),
    [
        ("", ("GET", b"/anything"), True),
        ("POST", ("POST", b"/x/y"), True),
        ("POST", ("GET", b"/x"), False),
        ("(PUT|POST) /x", ("PUT", b"/x"), True),
        ("(PUT|POST) /x", ("GET", b"/x"), False),
        ("GET /hello", ("GET", b"/hello/world"), True),  # re.match: a prefix is enough
        ("GET /hello$", ("GET", b"/hello/world"), False),
        (r"GET /q\?a=1", ("GET", b"/q?a=1&b=2"), True),
        (".* /test_star", ("DELETE", b"/test_star"), True),
    ],
)
def test_rule(rule: str, request_line: tuple[str, bytes], matches: bool) -> None:
    method, target = request_line
    assert (matchers.rule(Rule(rule), seen(method, target)) is None) is matches


def test_rule_failure_names_both_sides() -> None:
    assert matchers.rule(Rule("GET /a"), seen("GET", b"/b")) == (
        "request 'GET /b' does not match rule 'GET /a'"
    )


def test_host_is_a_regex_on_the_request_host() -> None:
    assert matchers.host(Rule(host=r"api\.example\.test"), seen()) is None
    assert matchers.host(Rule(host=".*example"), seen()) is None
    assert matchers.host(Rule(host="other"), seen()) == (
        "host 'api.example.test' does not match 'other'"
    )
    assert matchers.host(Rule(), seen(host="")) is None


def test_headers_must_be_present_and_equal() -> None:
    rule = Rule(headers={"If-None-Match": "A1"})
    assert matchers.headers(rule, seen(headers=((b"if-none-match", b"A1"),))) is None
    assert "missing" in (matchers.headers(rule, seen()) or "")
    assert "'B2', expected 'A1'" in (
        matchers.headers(rule, seen(headers=((b"If-None-Match", b"B2"),))) or ""
    )


def test_body_regex_on_the_decoded_body() -> None:
    assert matchers.body(Rule(body="1.*"), seen(body=b"123")) is None
    assert matchers.body(Rule(body="2.*"), seen(body=b"123")) is not None
    assert matchers.body(Rule(), seen(body=b"anything")) is None


def test_data_equals_the_form() -> None:
    assert matchers.data(Rule(data={"one": "first"}), seen(body=b"one=first")) is None
    assert matchers.data(Rule(data={"one": "first"}), seen(body=b"one=first&x=2")) is not None


@pytest.mark.parametrize(
    ("expected", "body", "where"),
    [
        ({"a": 1}, {"a": 1, "b": 2}, None),
        ({"a": {"b": [1, {"c": True}]}}, {"a": {"b": [1, {"c": True, "d": 0}]}}, None),
        ({"a": 1}, {"a": 2}, "$.a"),
        ({"a": 1}, {"b": 1}, "$.a (missing)"),
        ({"a": [1, 2]}, {"a": [1]}, "$.a"),
        ({"a": 1}, {"a": 1.0}, None),
        ({"a": 1}, {"a": True}, "$.a"),
        ([1, 2], [1, 2], None),
        ({"a": None}, {"a": None}, None),
    ],
)
def test_json_contains(expected: object, body: object, where: str | None) -> None:
    outcome = matchers.json(Rule(json=expected), seen(body=jsonlib.dumps(body).encode()))
    assert outcome == (None if where is None else f"JSON body differs at {where}")


@pytest.mark.parametrize(
    ("expected", "body", "outcome"),
    [
        ({"$.user.id": 7}, {"user": {"id": 7, "name": "x"}}, None),
        ({"$.user.id": 7}, {"user": {"id": 8}}, "JSON body has nothing at $.user.id containing 7"),
        ({"$.user.id": 7}, {"user": {}}, "JSON body has nothing at $.user.id containing 7"),
        ({"$.items[*].sku": "A1"}, {"items": [{"sku": "B"}, {"sku": "A1"}]}, None),
        ({"$..sku": "A1"}, {"deep": {"items": [{"sku": "A1"}]}}, None),
        ({"$[1]": {"b": 2}}, [{"a": 1}, {"b": 2, "c": 3}], None),
        ({"$": {"a": 1}}, {"a": 1, "b": 2}, None),
        ({"$.a": 1, "kind": "x"}, {"a": 1, "kind": "x"}, None),
        ({"$.a": 1, "kind": "x"}, {"a": 1, "kind": "y"}, "JSON body differs at $.kind"),
    ],
)
def test_json_path_keys_match_what_the_path_selects(
    expected: object, body: object, outcome: str | None
) -> None:
    assert matchers.json(Rule(json=expected), seen(body=jsonlib.dumps(body).encode())) == outcome


def test_a_json_key_starting_with_dollar_must_be_a_path() -> None:
    with pytest.raises(ConfigError) as refused:
        Rule(json={"$user": 1})
    assert str(refused.value) == (
        "json path '$user': expected . or [ but found 'u' at 2 "
        "(a body key that starts with $ is written $['$name'])"
    )
    rule = Rule(json={"$['$user']": 1})  # a body key that starts with $
    assert matchers.json(rule, seen(body=b'{"$user": 1}')) is None


def test_json_on_a_non_json_body() -> None:
    assert matchers.json(Rule(json={"a": 1}), seen(body=b"a=1")) == "body is not JSON"


# -- properties: any request body, in any declared encoding, is matched without a crash --------

RULES = [
    Rule("POST", body="a.*"),
    Rule("", data={"a": "1"}),
    Rule("", json={"a": [1, {"b": None}]}),
    Rule("", headers={"Content-Type": "application/json"}),
]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)


@given(
    st.binary(max_size=300),
    st.sampled_from([None, "gzip", "deflate", "br", "zstd", "identity", "x-bogus"]),
    st.sampled_from(
        [
            None,
            "application/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data",
            "text/plain; charset=no-such-charset",
            "text/plain; charset=utf-16",
        ]
    ),
)
def test_random_bodies_are_matched_or_explained_never_a_crash(
    body: bytes, encoding: str | None, kind: str | None
) -> None:
    headers = tuple(
        (name, value.encode())
        for name, value in ((b"Content-Encoding", encoding), (b"Content-Type", kind))
        if value is not None
    )
    subject = Subject(Request("POST", b"/x", b"", headers, body))
    for rule in RULES:
        assert is_match(rule, subject) == (failures(rule, subject) == ())


@given(json_values)
def test_a_json_value_contains_itself(value: object) -> None:
    assert matchers.contains(value, value, "$") is None
    subject = Subject(Request("POST", b"/x", b"", (), jsonlib.dumps(value).encode()))
    # a rule's top-level keys beginning with $ are JSON paths (model.preset.json_rule), not
    # keys to contain: {"$": null} says the whole body is null
    assume(not (isinstance(value, dict) and any(key.startswith("$") for key in value)))
    assert is_match(Rule("", json=value), subject)  # json=None: no constraint, also a match


def test_a_rule_that_times_out_is_no_match_and_says_so() -> None:
    # issue 15: a rule that backtracks for ever must not stall the loop
    subject = Subject(Request("GET", b"/" + b"a" * 30 + b"!"), Budget(0.01))
    hostile = Rule("GET /(a|a)*$", host="(a|a)*$", body="(a|a)*$")
    assert not is_match(hostile, subject)
    reasons = failures(hostile, subject)
    assert reasons[0].startswith("rule timed out: 'GET /(a|a)*$' ran over 10 ms on 'GET /aaa")
    assert len(subject.budget.ran_out) == 1  # the same match is not tried twice


def test_host_and_body_regexes_time_out_alike() -> None:
    slow = "a" * 30 + "!"
    subject = Subject(Request("POST", b"/x", body=slow.encode(), host=slow), Budget(0.01))
    assert matchers.host(Rule(host="(a|a)*$"), subject) == (
        f"host regex timed out: '(a|a)*$' ran over 10 ms on {slow!r} and counts as no match"
    )
    assert (matchers.body(Rule(body="(a|a)*$"), subject) or "").startswith("body regex timed out")
