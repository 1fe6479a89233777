"""Field matchers for preset rules: `(rule, subject) -> None` on a match, else why not."""

from collections.abc import Callable

from pretenders_proxy.matching.budget import excerpt
from pretenders_proxy.matching.subject import INVALID, Subject
from pretenders_proxy.model.jsonpath import selected
from pretenders_proxy.model.pattern import Pattern
from pretenders_proxy.model.preset import Rule

type Matcher = Callable[[Rule, Subject], str | None]


def _match(pattern: Pattern, text: str, actual: Subject) -> bool | None:
    # the hot path: a plain-text rule is matched at once, with no budget made
    if (quick := pattern.quick) is not None:
        return quick(text) is not None
    return actual.budget.match(pattern, text)


def rule(expected: Rule, actual: Subject) -> str | None:
    found = _match(expected.rule_re, actual.line, actual)
    if found:
        return None
    if found is None:
        return actual.budget.why("rule", expected.rule_re, actual.line)
    return f"request {actual.line!r} does not match rule {expected.rule!r}"


def host(expected: Rule, actual: Subject) -> str | None:
    if expected.host_re is None:
        return None
    found = _match(expected.host_re, actual.request.host, actual)
    if found:
        return None
    if found is None:
        return actual.budget.why("host regex", expected.host_re, actual.request.host)
    return f"host {actual.request.host!r} does not match {expected.host!r}"


def headers(expected: Rule, actual: Subject) -> str | None:
    for name, value in expected.headers.items():
        got = actual.header(name)
        if got is None:
            return f"header {name} is missing (expected {value!r})"
        if got != value:
            return f"header {name} is {got!r}, expected {value!r}"
    return None


def body(expected: Rule, actual: Subject) -> str | None:
    if expected.body_re is None:
        return None
    found = _match(expected.body_re, actual.text, actual)
    if found:
        return None
    if found is None:
        return actual.budget.why("body regex", expected.body_re, actual.text)
    return f"body {excerpt(actual.text)!r} does not match {expected.body!r}"


def data(expected: Rule, actual: Subject) -> str | None:
    if expected.data is None or dict(expected.data) == actual.form:
        return None
    return f"form fields {actual.form!r} are not {dict(expected.data)!r}"


def json(expected: Rule, actual: Subject) -> str | None:
    if expected.json is None:
        return None
    if actual.json is INVALID:
        return "body is not JSON"
    whole = expected.json_whole
    if whole is not None and (where := contains(actual.json, whole, "$")) is not None:
        return f"JSON body differs at {where}"
    for path, wanted in expected.json_paths:
        if not any(contains(found, wanted, "") is None for found in selected(actual.json, path)):
            return f"JSON body has nothing at {path.text} containing {excerpt(repr(wanted))}"
    return None


def contains(actual: object, expected: object, where: str) -> str | None:
    """Where `actual` fails to contain `expected`: objects may have extra keys, lists may not."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return where
        for key, value in expected.items():
            if key not in actual:
                return f"{where}.{key} (missing)"
            if (inner := contains(actual[key], value, f"{where}.{key}")) is not None:
                return inner
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return where
        for i, (got, want) in enumerate(zip(actual, expected, strict=True)):
            if (inner := contains(got, want, f"{where}[{i}]")) is not None:
                return inner
        return None
    # JSON numbers compare by value (1 == 1.0) but true is not 1.
    if isinstance(expected, bool) != isinstance(actual, bool) or actual != expected:
        return where
    return None


MATCHERS: dict[str, Matcher] = {
    "rule": rule,
    "host": host,
    "headers": headers,
    "body": body,
    "data": data,
    "json": json,
}
"""Every preset matcher, cheapest first: the engine stops at the first failure."""
