import pytest

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.matching.ignore import parse_ignore


def test_each_kind_of_spec_parses() -> None:
    ignore = parse_ignore(
        ["json:$.meta.timestamp", " header:X-Request-Id ", "query:_ts", "form:csrf", "query:_ts"]
    )
    assert ignore.specs == (
        "json:$.meta.timestamp",
        "header:X-Request-Id",
        "query:_ts",
        "form:csrf",
    )
    assert [path.text for path in ignore.json] == ["$.meta.timestamp"]
    assert ignore.headers == {b"x-request-id"}
    assert ignore.query == {b"_ts"} and ignore.form == {b"csrf"}
    assert bool(ignore) and not parse_ignore([])


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("json:$.a[", "ignore json:$.a[: json path $.a[: unclosed bracket at 4"),
        ("json:a.b", "ignore json:a.b: json path a.b: a path starts with $ at 1"),
        ("json:$.a[x]", "json path $.a[x]: expected a number, * or a quoted name in brackets at 5"),
        ("json:$..[0]", "json path $..[0]: only a name may follow .. at 4"),
        ("json:$.a.", "json path $.a.: expected a name (others can be written ['...']) at 5"),
        ("json:$a", "json path $a: expected . or [ but found 'a' at 2"),
        ("json:$['a", "json path $['a: unclosed quote at 3"),
        ("json:$['a'x", "json path $['a'x: unclosed bracket at 2"),
        ("body:x", "ignore 'body:x': start it with one of json:, header:, query:, form:"),
        ("timestamp", "ignore 'timestamp': start it with one of"),
        ("query:", "ignore 'query:': name the query part after query:"),
        ("header:X Request", "ignore 'header:X Request': 'X Request' is not a header name"),
    ],
)
def test_a_bad_spec_is_refused_naming_it_and_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_ignore(["query:fine", spec])
    assert message in str(refused.value)
