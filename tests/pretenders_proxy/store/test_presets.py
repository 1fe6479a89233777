import pytest

from pretenders_proxy.matching.budget import Budget
from pretenders_proxy.matching.subject import Subject
from pretenders_proxy.model.http import Request
from pretenders_proxy.model.preset import Preset, Reply, Rule
from pretenders_proxy.store.presets import PresetBook, PresetReply, explain_miss


def preset(rule: str, status: int = 200, times: int | None = None, **rule_fields: object) -> Preset:
    return Preset(Rule(rule, **rule_fields), Reply(status), times)  # type: ignore[arg-type]


def get(path: bytes, method: str = "GET") -> Subject:
    return Subject(Request(method, path))


def served(book: PresetBook, *subjects: Subject) -> list[int | None]:
    out = []
    for s in subjects:
        found = book.take(s)
        out.append(found.response.status if isinstance(found, PresetReply) else None)
    return out


def test_flat_creation_order_as_in_1_4_5() -> None:
    book = PresetBook()
    for i, (rule, status) in enumerate([(".*", 201), ("GET /a", 202), (".*", 203)]):
        book.add(i, preset(rule, status, times=1))
    assert served(book, *[get(b"/a")] * 4) == [201, 202, 203, None]


def test_whole_line_rules_among_thousands_keep_first_match_order() -> None:
    book = PresetBook()
    book.add(1, preset(r"GET /items/\d+$", 201, times=1))  # a regex first: it serves first
    for n in range(5000):
        book.add(10 + n, preset(f"GET /items/{n}$", 200 if n != 42 else 242, times=2))
    book.add(9000, preset("GET /items/42", 299))  # a prefix rule after them
    asked = [get(b"/items/42")] * 5
    assert served(book, *asked) == [201, 242, 242, 299, 299]
    # `$` matches before a final newline, as `re` has it: "/items/7%0A" decodes to that
    assert served(book, get(b"/items/7%0A"), get(b"/items/7/x")) == [200, None]


def test_a_rule_with_more_than_its_regex_is_asked_every_part() -> None:
    book = PresetBook()
    book.add(1, preset("GET /a", 201, headers={"X-Kind": "1"}))  # the regex alone would match
    book.add(2, preset("GET /a(/b)*$", 202))  # a regex `re` cannot run without a budget
    book.add(3, preset("GET /a", 203))
    with_header = Subject(Request("GET", b"/a", headers=((b"X-Kind", b"1"),)))
    assert served(book, get(b"/a"), with_header, get(b"/a/b"), get(b"/ab")) == [202, 201, 202, 203]


def test_times_count_down_and_forever_never_runs_out() -> None:
    book = PresetBook()
    book.add(1, preset("POST", 202, times=2))
    book.add(2, preset("GET", 200))
    assert served(book, *[get(b"/x", "POST")] * 3) == [202, 202, None]
    assert served(book, *[get(b"/x")] * 5) == [200] * 5
    assert [p.id for p in book] == [2]
    assert book.get(2) is not None and book.get(2).served == 5  # type: ignore[union-attr]


def test_remove_and_clear() -> None:
    book = PresetBook()
    book.add(1, preset("GET /a"))
    book.add(2, preset("GET /a", 204))
    assert book.remove(1) and not book.remove(1)
    assert served(book, get(b"/a")) == [204]
    book.clear()
    assert len(book) == 0 and served(book, get(b"/a")) == [None]


def test_thousands_of_presets_serve_the_right_one() -> None:
    book = PresetBook()
    for i in range(5000):
        book.add(i, preset(f"GET /items/{i}$", 200 + i % 100, times=1))
    assert served(book, get(b"/items/4242"), get(b"/items/4242")) == [242, None]


def test_miss_explanation_names_the_closest_preset() -> None:
    book = PresetBook()
    book.add(7, preset("GET /helo", host="api"))
    book.add(8, preset("POST /zzz", headers={"X": "1"}))
    subject = Subject(Request("GET", b"/hello", host="api"))
    text = explain_miss(subject, book.nearest(subject))
    assert text.startswith("No preset matched GET /hello (host api).")
    assert "Closest: preset 7 (rule 'GET /helo', host 'api')" in text
    assert "request 'GET /hello' does not match rule 'GET /helo'" in text
    empty = explain_miss(subject, PresetBook().nearest(subject))
    assert "There are no presets in this session." in empty


def test_what_a_preset_answers_is_made_once_when_it_is_added() -> None:
    book = PresetBook()
    book.add(1, preset("GET", 201))
    first, again = book.take(get(b"/a")), book.take(get(b"/b"))
    assert first is again and isinstance(first, PresetReply) and first.preset_id == 1


def test_a_preset_whose_regex_times_out_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    # issue 15: tried (and timed out) on every request, said once
    book = PresetBook()
    book.add(1, preset("GET /(a|a)*$", 201))
    for _ in range(3):
        subject = Subject(Request("GET", b"/" + b"a" * 30 + b"!"), Budget(0.01))
        assert served(book, subject) == [None]
        assert "  - rule timed out: 'GET /(a|a)*$'" in explain_miss(subject, book.nearest(subject))
        assert len(subject.budget.ran_out) == 1  # the near-miss report did not try it again
    book.add(2, preset("GET /", 202))
    assert served(book, Subject(Request("GET", b"/" + b"a" * 30 + b"!"), Budget(0.01))) == [202]
    said = [r.getMessage() for r in caplog.records if "timed out" in r.getMessage()]
    assert said == [
        "preset 1 (rule 'GET /(a|a)*$') timed out: a regex of it ran over 10 ms on a request "
        "and counts as no match (said once per preset)"
    ]


def test_miss_explanation_lists_differing_header_and_json_values() -> None:
    book = PresetBook()
    book.add(1, preset("POST /orders", headers={"X-Tenant": "a"}, json={"qty": 2}))
    headers = ((b"X-Tenant", b"b"), (b"Content-Type", b"application/json"))
    subject = Subject(Request("POST", b"/orders", headers=headers, body=b'{"qty": 1}'))
    text = explain_miss(subject, book.nearest(subject))
    assert text.endswith(
        "Values that differ (this request vs the preset):\n"
        "  header:X-Tenant: b vs a\n"
        "  json:$.qty: 1 vs 2\n"
    )
