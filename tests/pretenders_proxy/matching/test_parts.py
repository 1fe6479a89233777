from pretenders_proxy.matching.ignore import parse_ignore
from pretenders_proxy.matching.parts import (
    body_lines,
    json_lines,
    listed,
    paste_block,
    query_lines,
    rule_lines,
    shorten,
)
from pretenders_proxy.matching.subject import Subject
from pretenders_proxy.model.preset import Rule
from tests.pretenders_proxy.factories import request

JSON = ((b"Content-Type", b"application/json"),)
FORM = ((b"Content-Type", b"application/x-www-form-urlencoded"),)


def test_json_lines_name_each_differing_path_in_document_order() -> None:
    got = {"meta": {"timestamp": 1733500000, "v": 1}, "items": [1, 2], "new": True, "n": 1}
    recorded = {"meta": {"timestamp": 1732000000, "v": 1}, "items": [1], "old": None, "n": 1.0}
    assert json_lines(got, recorded) == [
        "json:$.meta.timestamp: 1733500000 vs 1732000000",
        "json:$.items[1]: 2 vs (absent)",
        "json:$.new: true vs (absent)",
        "json:$.old: (absent) vs null",
    ]


def test_json_lines_quote_odd_names_and_shorten_values() -> None:
    got = {"a b": "x" * 100, "ok": {"k": 1}}
    assert json_lines(got, {"a b": "y", "ok": [1]}) == [
        """json:$['a b']: "xxxxxxxxxxxxxxxxxxxxxx… vs "y\"""",
        'json:$.ok: {"k":1} vs [1]',
    ]
    assert shorten("abc", 3) == "abc" and shorten("abcd", 3) == "ab…"


def test_true_is_not_1_but_1_is_1_0() -> None:
    assert json_lines({"a": True, "b": 1}, {"a": 1, "b": 1.0}) == ["json:$.a: true vs 1"]


def test_a_subset_comparison_leaves_extra_members_alone() -> None:
    got = {"a": 1, "extra": 2, "list": [1, 2]}
    assert json_lines(got, {"a": 2, "list": [1]}, subset=True) == [
        "json:$.a: 1 vs 2",
        "json:$.list: [1,2] vs [1]",
    ]


def test_listing_is_bounded() -> None:
    assert listed(["a", "b"], 2) == ["a", "b"]
    assert listed(["a", "b", "c", "d"], 2) == ["a", "b", "... and 2 more"]
    lines = [f"json:$.n{i}: 1 vs 2" for i in range(20)]
    assert paste_block(lines, "the recording")[-1] == "  ... and 12 more"
    assert paste_block([], "the recording") == []


def test_body_lines_of_json_form_and_bytes() -> None:
    json_got = request(body=b'{"ts": 2, "id": 1}', headers=JSON)
    json_recorded = request(body=b'{"id": 1, "ts": 1}', headers=JSON)
    assert body_lines(json_got, json_recorded) == ["json:$.ts: 2 vs 1"]
    assert body_lines(json_got, json_recorded, parse_ignore(["json:$.ts"])) == []
    form = body_lines(request(body=b"a=1&csrf=x", headers=FORM), request(body=b"csrf=y&a=1"))
    assert form == []  # a form against bytes: nothing can be named
    form = body_lines(
        request(body=b"a=1&csrf=x&b=1", headers=FORM),
        request(body=b"csrf=y&a=1", headers=FORM),
    )
    assert form == ["form:b: 1 vs (absent)", "form:csrf: x vs y"]
    assert body_lines(request(body=b"x"), request(body=b"y")) == []


def test_query_lines_skip_ignored_and_redacted_values() -> None:
    got = request(query=b"a=1&_ts=5&token=t&b=2&b=1")
    recorded = request(query=b"b=1&b=2&_ts=4&token=<redacted>&a=2")
    assert query_lines(got, recorded) == ["query:_ts: 5 vs 4", "query:a: 1 vs 2"]
    assert query_lines(got, recorded, parse_ignore(["query:_ts"])) == ["query:a: 1 vs 2"]
    assert query_lines(got, recorded, redacted=[b"a"]) == ["query:_ts: 5 vs 4"]


def test_rule_lines_for_headers_json_and_form_only() -> None:
    subject = Subject(request("POST", body=b'{"a": {"b": 1}, "c": 2}', headers=JSON))
    rule = Rule("POST /items", headers={"Content-Type": "text/plain"}, json={"a": {"b": 2}})
    assert rule_lines(rule, subject) == [
        "header:Content-Type: application/json vs text/plain",
        "json:$.a.b: 1 vs 2",
    ]
    assert rule_lines(Rule("GET /items", json={"a": {"b": 2}}), subject) == []  # rule fails too
    form = Subject(request("POST", body=b"x=1&y=2", headers=FORM))
    assert rule_lines(Rule("POST /items", data={"x": "2"}), form) == [
        "form:x: 1 vs 2",
        "form:y: 2 vs (absent)",
    ]


def test_rule_lines_for_json_path_keys() -> None:
    body = b'{"user": {"id": 8}, "items": [{"sku": "B"}, {"sku": "C"}]}'
    subject = Subject(request("POST", body=body, headers=JSON))
    rule = Rule("POST", json={"$.user.id": 7, "$.items[*].sku": "A1", "$.gone": 1})
    assert rule_lines(rule, subject) == [
        "json:$.user.id: 8 vs 7",
        'json:$.items[*].sku: none of 2 values vs "A1"',
        "json:$.gone: (absent) vs 1",
    ]


def test_paths_differing_only_in_list_positions_make_one_any_item_line() -> None:
    got = {"items": [{"id": 1, "ts": 11}, {"id": 2, "ts": 12}, {"id": 3, "ts": 13}], "x": [1]}
    wanted = {"items": [{"id": 1, "ts": 1}, {"id": 2, "ts": 2}, {"id": 9, "ts": 3}], "x": [2]}
    assert json_lines(got, wanted) == [
        "json:$.items[*].ts: 11 vs 1 (and 2 more items)",
        "json:$.items[2].id: 3 vs 9",
        "json:$.x[0]: 1 vs 2",
    ]
