"""Presets: rules compile once and know which parts to check; replies and times are validated."""

import pytest

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.model.http import Response
from pretenders_proxy.model.preset import Preset, Reply, Rule


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
