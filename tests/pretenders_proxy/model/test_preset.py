"""Presets: rules compile once and know which parts to check; replies and times are validated."""

import pytest

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.model.http import Response
from pretenders_proxy.model.preset import Fault, Preset, Reply, Rule


@pytest.mark.parametrize(
    ("rule", "checks"),
    [
        (Rule(), ()),
        (Rule("GET /a", host="api"), ("rule", "host")),
        (Rule(headers={"X": "1"}, body="b", data={}, json=0), ("headers", "body", "data", "json")),
    ],
)
def test_a_rule_checks_only_the_parts_it_sets(rule: Rule, checks: tuple[str, ...]) -> None:
    assert rule.checks == checks


def test_describe_names_the_parts_that_are_set() -> None:
    rule = Rule("GET /x", host="api", data={"a": "1"})
    assert rule.describe() == "rule 'GET /x', host 'api', form {'a': '1'}"
    assert Rule().describe() == "rule ''"


@pytest.mark.parametrize("field", ["rule", "body", "host"])
def test_a_bad_regex_names_its_field(field: str) -> None:
    with pytest.raises(ConfigError, match=f"invalid regex in {field} '\\(': "):
        Rule(**{field: "("})  # type: ignore[arg-type]


def test_a_reply_makes_its_response_once() -> None:
    reply = Reply(201, ((b"X", b"1"),), b"made")
    assert reply.response == Response(201, ((b"X", b"1"),), b"made")
    assert reply.response is reply.response


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda: Reply(99), "status 99 is not a three-digit HTTP status"),
        (lambda: Reply(after=-1), "after -1 is negative"),
        (lambda: Preset(Rule(), Reply(), times=0), "Preset has 0 times"),
    ],
)
def test_what_cannot_work_is_refused(make: object, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        make()  # type: ignore[operator]


def test_a_streamed_reply_joins_its_chunks_into_the_body_and_times_them() -> None:
    reply = Reply(200, chunks=((0.0, b"data: 1\n\n"), (0.2, b"data: 2\n\n")))
    assert reply.body == b"data: 1\n\ndata: 2\n\n"
    assert reply.response.body == reply.body
    assert reply.response.chunks == ((0.0, 9), (0.2, 9))
    assert Reply(200, body=b"x").response.chunks == ()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"body": b"x"}, "body \\(or text\\) or chunks, not both"),
        ({"fault": Fault.RESET}, "give fault or chunks, not both"),
    ],
)
def test_a_streamed_reply_has_no_body_or_fault_besides(
    fields: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        Reply(200, chunks=((0.0, b"a"),), **fields)  # type: ignore[arg-type]


def test_a_chunk_delay_is_seconds_at_least_zero() -> None:
    with pytest.raises(ConfigError, match="chunk 2: after -1 must be seconds >= 0"):
        Reply(200, chunks=((0.0, b"a"), (-1, b"b")))
