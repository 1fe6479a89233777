"""Hoverfly schemas v1-v4 made v5 as Hoverfly's own upgrade makes them."""

import pytest

from pretenders_proxy.cassette.formats import hoverflyschemas
from pretenders_proxy.errors import CassetteError


def test_v1_recording_fields_become_exact_matchers_and_the_query_is_unescaped() -> None:
    pair = {"request": {"requestType": "recording", "path": "/a", "method": "GET",
                        "query": "q=a%20b", "headers": {"Accept": ["a", "b"]}},
            "response": {"status": 200}}  # fmt: skip
    document = {"data": {"pairs": [pair]}, "meta": {"schemaVersion": "v1"}}
    (upgraded,) = hoverflyschemas.pairs_v5(document)
    assert upgraded["request"] == {
        "path": [{"matcher": "exact", "value": "/a"}],
        "method": [{"matcher": "exact", "value": "GET"}],
        "deprecatedQuery": [{"matcher": "exact", "value": "q=a b"}],
        "headers": {"Accept": [{"matcher": "glob", "value": "a;b"}]},
    }
    assert upgraded["response"] == {"status": 200}


def test_v1_template_fields_become_globs() -> None:
    pair = {"request": {"requestType": "template", "path": "/a/*"}, "response": {}}
    document = {"data": {"pairs": [pair]}, "meta": {"schemaVersion": "v1"}}
    (upgraded,) = hoverflyschemas.pairs_v5(document)
    assert upgraded["request"]["path"] == [{"matcher": "glob", "value": "/a/*"}]


def test_v4_field_objects_header_and_query_matchers_and_states() -> None:
    request = {
        "path": {"exactMatch": "/a", "globMatch": "/*"},
        "headersWithMatchers": {"X": {"regexMatch": "x.*"}},
        "queriesWithMatchers": {"q": {"exactMatch": "1"}},
        "requiresState": {"k": "v"},
    }
    document = {"data": {"pairs": [{"request": request}]}, "meta": {"schemaVersion": "v4"}}
    (upgraded,) = hoverflyschemas.pairs_v5(document)
    assert upgraded["request"]["path"] == [
        {"matcher": "exact", "value": "/a"},
        {"matcher": "glob", "value": "/*"},
    ]
    assert upgraded["request"]["headers"] == {"X": [{"matcher": "regex", "value": "x.*"}]}
    assert upgraded["request"]["query"] == {"q": [{"matcher": "exact", "value": "1"}]}
    assert upgraded["request"]["requiresState"] == {"k": "v"}


def test_a_simulation_without_meta_is_v1_and_v5_is_left_as_it_is() -> None:
    assert hoverflyschemas.version({"data": []}) == "v1"
    pairs = [{"request": {"path": [{"matcher": "exact", "value": "/"}]}}]
    assert (
        hoverflyschemas.pairs_v5({"data": {"pairs": pairs}, "meta": {"schemaVersion": "v5.3"}})
        == pairs
    )


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"data": {"pairs": []}, "meta": {"schemaVersion": "v6"}}, "'v6' is not one of v1 to v5"),
        ({"data": {"pairs": []}}, ".meta is missing"),
        ({"data": {}, "meta": {"schemaVersion": "v5"}}, ".data.pairs is missing"),
    ],
)
def test_what_cannot_be_upgraded_is_refused_naming_it(document: dict, problem: str) -> None:
    with pytest.raises(CassetteError, match=problem):
        hoverflyschemas.pairs_v5(document)
