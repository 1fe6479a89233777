import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.matching.ignore import parse_ignore
from pretenders_proxy.model.jsonpath import (
    Part,
    PathError,
    Step,
    parse_path,
    prune,
    select,
    step_text,
)


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
    ("text", "parts"),
    [
        ("$.a.b", [Part(Step.CHILD, "a"), Part(Step.CHILD, "b")]),
        ("$['a b'][0]", [Part(Step.CHILD, "a b"), Part(Step.INDEX, 0)]),
        ('$["it\'s"]', [Part(Step.CHILD, "it's")]),
        ("$['x\\'y']", [Part(Step.CHILD, "x'y")]),
        ("$.items[*].id", [Part(Step.CHILD, "items"), Part(Step.ANY), Part(Step.CHILD, "id")]),
        ("$.*", [Part(Step.ANY)]),
        ("$..nonce", [Part(Step.DESCEND, "nonce")]),
        ("$..['odd.key']", [Part(Step.DESCEND, "odd.key")]),
        ("$.a[-1]", [Part(Step.CHILD, "a"), Part(Step.INDEX, -1)]),
        ("$.créé-le", [Part(Step.CHILD, "créé-le")]),
    ],
)
def test_json_paths(text: str, parts: list[Part]) -> None:
    assert list(parse_path(text).parts) == parts


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


def test_path_errors_carry_their_position() -> None:
    with pytest.raises(PathError) as refused:
        parse_path("$.a[")
    assert (refused.value.problem, refused.value.position) == ("unclosed bracket", 4)


DOCUMENT = {
    "meta": {"timestamp": 1, "id": "x"},
    "items": [{"id": 1, "nonce": "a"}, {"id": 2, "deep": {"nonce": "b"}}],
    "odd key": 3,
}


@pytest.mark.parametrize(
    ("paths", "left"),
    [
        (["$.meta.timestamp"], {**DOCUMENT, "meta": {"id": "x"}}),
        (["$['odd key']", "$.meta"], {"items": DOCUMENT["items"]}),
        (["$.items[*].id"], {**DOCUMENT, "items": [{"nonce": "a"}, {"deep": {"nonce": "b"}}]}),
        (["$..nonce"], {**DOCUMENT, "items": [{"id": 1}, {"id": 2, "deep": {}}]}),
        (["$.items[0]", "$.items[1]"], {**DOCUMENT, "items": []}),  # both of the original items
        (["$.items[-1]"], {**DOCUMENT, "items": [DOCUMENT["items"][0]]}),
        (["$.missing.part", "$.items[7]", "$.meta[0]"], DOCUMENT),
        (["$.meta", "$"], None),
    ],
)
def test_prune_removes_what_the_paths_select(paths: list[str], left: object) -> None:
    document = json.loads(json.dumps(DOCUMENT))
    assert prune(document, [parse_path(p) for p in paths]) == left


keys = st.one_of(st.text(max_size=6), st.integers(min_value=0, max_value=3))


@given(st.lists(keys, min_size=1, max_size=4))
def test_a_path_written_by_step_text_selects_that_very_part(steps: list[str | int]) -> None:
    document: object = "here"
    for key in reversed(steps):
        document = {key: document} if isinstance(key, str) else [0] * key + [document]
    path = parse_path("$" + "".join(step_text(key) for key in steps))
    found = [container[key] for container, key in select(document, path.parts)]
    assert found == ["here"]
