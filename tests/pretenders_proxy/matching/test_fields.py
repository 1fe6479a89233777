import json
from dataclasses import replace
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.matching.fields import (
    DEFAULT_MATCH_ON,
    MatchSpec,
    matcher,
    parse_match_on,
)
from pretenders_proxy.matching.ignore import Ignore, parse_ignore
from pretenders_proxy.model.http import Request
from tests.pretenders_proxy.factories import request

RECORDED = request("POST", b"/items", b"a=1&b=2", b'{"x": 1}', ((b"Accept", b"text/html"),))


@pytest.mark.parametrize(
    ("name", "actual", "reason"),
    [
        ("method", request("PUT"), "method: PUT (recorded: POST)"),
        ("scheme", request(scheme="http"), "scheme: http (recorded: https)"),
        ("host", request(host="other.test"), "host: other.test (recorded: api.example.test)"),
        ("port", request(port=8443), "port: 8443 (recorded: 443)"),
        ("path", request(path=b"/other"), "path: /other (recorded: /items)"),
        ("query", request(query=b"a=1"), "query: a=1 (recorded: a=1&b=2)"),
        ("body", request(body=b"{}"), """body: 2 bytes b'{}' (recorded: 8 bytes b'{"x": 1}')"""),
    ],
)
def test_each_matcher_says_how_a_field_differs(name: str, actual: Request, reason: str) -> None:
    assert matcher(name)(RECORDED, actual) == reason


@pytest.mark.parametrize(
    ("name", "actual"),
    [
        ("method", request("POST")),
        ("host", request(host="API.Example.TEST")),
        ("query", request(query=b"b=2&a=1")),  # order does not matter
        ("body", request(body=b'{"x": 1}')),
        ("header:accept", request(headers=((b"ACCEPT", b"text/html"),))),
    ],
)
def test_matches(name: str, actual: Request) -> None:
    assert matcher(name)(RECORDED, actual) is None


def test_recorded_redacted_values_match_anything() -> None:
    recorded = request(query=b"token=<redacted>&page=1", headers=((b"X-Key", b"<redacted>"),))
    actual = request(query=b"page=1&token=abc", headers=((b"x-key", b"k"),))
    assert matcher("query")(recorded, actual) is None
    assert matcher("header:X-Key")(recorded, actual) is None
    assert matcher("query")(recorded, request(query=b"page=2&token=abc")) is not None


def test_a_missing_header_reads_absent() -> None:
    assert matcher("header:Accept")(RECORDED, request()) == (
        "header:Accept: (absent) (recorded: text/html)"
    )


def test_equal_keys_exactly_when_nothing_fails() -> None:
    spec = MatchSpec(DEFAULT_MATCH_ON, frozenset({b"token"}))
    recorded = request(query=b"token=<redacted>&q=1")
    same = [request(query=b"q=1&token=zzz"), request(query=b"token=<redacted>&q=1")]
    different = [request(query=b"q=2&token=zzz"), request(body=b"x", query=b"q=1&token=1")]
    for actual in same:
        assert spec.key(actual) == spec.key(recorded)
        assert spec.failures(recorded, actual) == ()
    for actual in different:
        assert spec.key(actual) != spec.key(recorded)
        assert spec.failures(recorded, actual) != ()


def test_match_on_fewer_fields() -> None:
    spec = MatchSpec(("method", "path"))
    assert spec.key(request(query=b"x=1", host="a")) == spec.key(request(host="b"))


def test_parse_match_on() -> None:
    assert parse_match_on(["method, path", "path,header:X-Tenant"]) == (
        "method",
        "path",
        "header:X-Tenant",
    )
    with pytest.raises(ConfigError, match=r"unknown field 'colour'.*header:<Name>"):
        parse_match_on(["method,colour"])
    with pytest.raises(ConfigError, match="unknown field 'header:'"):
        parse_match_on(["header:"])
    with pytest.raises(ConfigError, match="name at least one field"):
        parse_match_on([" , "])


# -- properties: the index key and the explanation always agree ------------------------------

names = st.sampled_from([b"a", b"b", b"id", b"q"])
query_strategy = st.lists(st.tuples(names, st.binary(max_size=4)), max_size=4)
requests_strategy = st.builds(
    lambda method, path, query, body, host, accept: request(
        method, path, b"&".join(n + b"=" + v for n, v in query), body, accept, host
    ),
    st.sampled_from(["GET", "POST"]),
    st.sampled_from([b"/", b"/items", b"/items/1"]),
    query_strategy,
    st.sampled_from([b"", b"x", b'{"a": 1}']),
    st.sampled_from(["api.example.test", "API.example.test", "other.test"]),
    st.sampled_from([(), ((b"Accept", b"text/html"),), ((b"accept", b"*/*"),)]),
)
specs = st.lists(
    st.sampled_from([*DEFAULT_MATCH_ON, "header:Accept"]), min_size=1, unique=True
).map(lambda fields: MatchSpec(tuple(fields)))


@given(specs, requests_strategy, requests_strategy)
def test_equal_keys_exactly_when_no_matcher_fails(
    spec: MatchSpec, recorded: Request, actual: Request
) -> None:
    assert (spec.key(recorded) == spec.key(actual)) == (spec.failures(recorded, actual) == ())


@given(specs, requests_strategy, st.randoms())
def test_a_request_matches_itself_with_its_query_in_any_order(
    spec: MatchSpec, recorded: Request, shuffle: Random
) -> None:
    pairs = recorded.query.split(b"&") if recorded.query else []
    shuffle.shuffle(pairs)
    reordered = replace(recorded, query=b"&".join(pairs), host=recorded.host.upper())
    assert spec.failures(recorded, reordered) == ()
    assert spec.key(recorded) == spec.key(reordered)


redactions = st.sets(st.sampled_from([b"a", b"q", b"accept"])).map(frozenset)


@given(specs, redactions, st.lists(requests_strategy, max_size=5))
def test_the_keys_of_many_requests_at_once_are_each_ones_key(
    spec: MatchSpec, redacted: frozenset[bytes], requests: list[Request]
) -> None:
    spec = MatchSpec(spec.fields, redacted)
    assert spec.keys(requests) == [spec.key(r) for r in requests]


def test_a_spec_of_no_fields_gives_every_request_the_same_key() -> None:
    assert MatchSpec(()).keys([request(), request("POST")]) == [(), ()]


# -- semantic bodies, --ignore and the near-miss in its grammar -------------------------------

JSON = ((b"Content-Type", b"application/json"),)


def posted(
    body: bytes, query: bytes = b"", headers: tuple[tuple[bytes, bytes], ...] = ()
) -> Request:
    return request("POST", b"/items", query, body, JSON + headers)


def test_json_bodies_match_whatever_their_key_order() -> None:
    spec = MatchSpec()
    recorded, reordered = posted(b'{"a": 1, "b": 2}'), posted(b'{"b":2,"a":1}')
    assert spec.key(recorded) == spec.key(reordered)
    assert spec.failures(recorded, reordered) == ()


def test_ignored_parts_take_no_part_in_keys_failures_or_parts() -> None:
    ignore = parse_ignore(["json:$.ts", "query:_ts", "header:X-Request-Id"])
    spec = MatchSpec((*DEFAULT_MATCH_ON, "header:X-Request-Id"), ignore=ignore)
    recorded = posted(b'{"ts": 1, "a": 1}', b"_ts=1&q=1", ((b"X-Request-Id", b"r1"),))
    actual = posted(b'{"a": 1, "ts": 2}', b"q=1", ((b"X-Request-Id", b"r2"),))
    assert spec.key(recorded) == spec.key(actual)
    assert spec.failures(recorded, actual) == () and spec.parts(recorded, actual) == []
    plain = MatchSpec((*DEFAULT_MATCH_ON, "header:X-Request-Id"))
    assert plain.parts(recorded, actual) == [
        "query:_ts: (absent) vs 1",
        "json:$.ts: 2 vs 1",
        "header:X-Request-Id: r2 vs r1",
    ]


def test_no_parts_are_listed_when_ignoring_values_could_not_help() -> None:
    spec = MatchSpec()
    recorded = posted(b'{"ts": 1}')
    assert spec.parts(recorded, replace(posted(b'{"ts": 2}'), path=b"/other")) == []
    bytes_body = request("POST", body=b"ts=1")
    assert spec.parts(bytes_body, request("POST", body=b"ts=2")) == []
    assert spec.parts(recorded, posted(b'{"ts": 1}')) == []


def test_a_redacted_header_or_query_value_is_no_difference() -> None:
    spec = MatchSpec(("query", "header:X-Key"))
    recorded = request(query=b"t=<redacted>&p=1", headers=((b"X-Key", b"<redacted>"),))
    actual = request(query=b"t=abc&p=2", headers=((b"X-Key", b"k"),))
    assert spec.parts(recorded, actual) == ["query:p: 2 vs 1"]


json_bodies = st.recursive(
    st.one_of(st.integers(0, 3), st.sampled_from(["x", "y"]), st.none()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["a", "b", "ts", "odd key"]), inner, max_size=3),
    ),
    max_leaves=8,
).map(lambda document: json.dumps(document).encode())
json_requests = st.builds(
    lambda body, query, rid: posted(body, b"&".join(n + b"=" + v for n, v in query), rid),
    json_bodies,
    st.lists(st.tuples(names, st.sampled_from([b"", b"1", b"2"])), max_size=3),
    st.sampled_from([(), ((b"X-Request-Id", b"1"),), ((b"X-Request-Id", b"2"),)]),
)
ignores = st.lists(
    st.sampled_from(["json:$.ts", "json:$..a", "json:$[*]", "query:a", "header:X-Request-Id"]),
    max_size=3,
).map(parse_ignore)


@given(ignores, json_requests, json_requests)
def test_pasting_the_listed_parts_into_ignore_makes_the_request_match(
    ignore: Ignore, recorded: Request, actual: Request
) -> None:
    fields = (*DEFAULT_MATCH_ON, "header:X-Request-Id")
    spec = MatchSpec(fields, ignore=ignore)
    assert (spec.key(recorded) == spec.key(actual)) == (spec.failures(recorded, actual) == ())
    lines = spec.parts(recorded, actual)
    assert bool(lines) == (spec.key(recorded) != spec.key(actual))  # only these fields differ
    pasted = [line.split(": ", 1)[0] for line in lines]  # as the README says
    wider = MatchSpec(fields, ignore=parse_ignore([*ignore.specs, *pasted]))
    assert wider.key(recorded) == wider.key(actual)


def test_an_ignored_name_counts_neither_as_redacted_nor_as_a_difference() -> None:
    spec = MatchSpec(("query",), frozenset({b"token"}), parse_ignore(["query:_ts"]))
    recorded = request(query=b"token=<redacted>&_ts=<redacted>&p=1")
    for actual in (request(query=b"p=1&token=abc&_ts=9"), request(query=b"p=1&token=x")):
        assert spec.key(actual) == spec.key(recorded)
        assert spec.failures(recorded, actual) == () and spec.parts(recorded, actual) == []
    assert spec.parts(recorded, request(query=b"p=2&_ts=3&token=y")) == ["query:p: 2 vs 1"]


def test_a_key_asked_again_for_one_request_object_is_the_one_made_first() -> None:
    spec = MatchSpec()
    first = spec.key(RECORDED)
    assert spec.key(RECORDED) is first  # a replay asks twice; a head cache's request often
    assert spec.key(replace(RECORDED)) == first  # an equal request: made again, equal
    big = replace(RECORDED, body=b"x" * 5000)  # not kept: nothing big outlives its request
    assert spec.key(big) is not spec.key(big) and spec.key(big) == spec.key(big)
    for n in range(3000):  # more requests than are kept: each still gets its own key
        other = replace(RECORDED, path=b"/%d" % n)
        assert spec.key(other)[4] == b"/%d" % n
