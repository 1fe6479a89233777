import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pretenders_proxy.model.jsonpath import (
    JsonPath,
    Part,
    PathError,
    Step,
    parse_path,
    prune,
    select,
    selected,
    step_text,
)


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


@pytest.mark.parametrize(
    ("path", "found"),
    [
        ("$", [DOCUMENT]),
        ("$.meta.id", ["x"]),
        ("$.items[*].id", [1, 2]),
        ("$..nonce", ["a", "b"]),
        ("$.items[5]", []),
    ],
)
def test_selected_gives_the_values_a_path_names(path: str, found: list[object]) -> None:
    assert selected(DOCUMENT, parse_path(path)) == found
    assert isinstance(parse_path(path), JsonPath)
