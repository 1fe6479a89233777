"""The preset book's memo (store/memo.py): what `recall` gives is what `take` would have, and
nothing once the book changed; only FOREVER presets' plain replies are remembered."""

from pretenders_proxy.matching.budget import Budget
from pretenders_proxy.matching.subject import Subject
from pretenders_proxy.model.http import Request
from pretenders_proxy.model.preset import Fault, Preset, Reply, Rule
from pretenders_proxy.store import memo
from pretenders_proxy.store.presets import PresetBook, PresetReply

ASKED = Request("GET", b"/items/json")


def book_of(*presets: tuple[int, str, Reply, int | None]) -> PresetBook:
    book = PresetBook()
    for preset_id, rule, reply, times in presets:
        book.add(preset_id, Preset(Rule(rule), reply, times))
    return book


def taken(book: PresetBook, request: Request = ASKED) -> int | None:
    """The preset answering `request` as the fast lane asks: the memo, else the decision."""
    found = book.recall(request) or book.take(Subject(request), memo=True)
    return None if found is None else found.preset_id


def served(book: PresetBook) -> dict[int, int]:
    return {stored.id: stored.served for stored in book}


def test_a_forever_presets_reply_is_recalled_and_counted() -> None:
    book = book_of((1, "GET /items/json$", Reply(201), None))
    assert book.recall(ASKED) is None
    first = book.take(Subject(ASKED), memo=True)
    again = book.recall(ASKED)
    assert isinstance(again, PresetReply) and again is first
    assert served(book) == {1: 2}
    assert book.recall(Request("GET", b"/items/json")) is None  # an equal request: another object


def test_nothing_is_remembered_unless_asked() -> None:
    book = book_of((1, "GET", Reply(201), None))
    book.take(Subject(ASKED))
    assert book.recall(ASKED) is None


def test_a_change_to_the_book_forgets_what_was_remembered() -> None:
    book = book_of((1, "GET /items/", Reply(201), None))
    assert taken(book) == 1
    book.add(2, Preset(Rule("GET /items/json$"), Reply(202), None))
    assert book.recall(ASKED) is None  # an addition forgets too, though it matches later
    assert taken(book) == 1
    book.remove(1)
    assert book.recall(ASKED) is None
    assert taken(book) == 2
    book.clear()
    assert book.recall(ASKED) is None
    assert taken(book) is None


def test_a_times_preset_in_front_is_never_remembered_and_its_end_is_a_change() -> None:
    book = book_of((1, "GET /items/json$", Reply(201), 2), (2, "GET /items/", Reply(202), None))
    other = Request("GET", b"/items/other")
    assert [taken(book), taken(book, other), taken(book, other), taken(book)] == [1, 2, 2, 1]
    assert [taken(book), taken(book)] == [2, 2]  # preset 1 used up: the book changed
    book.add(3, Preset(Rule("GET /items/json$"), Reply(203), 1))  # back, after preset 2
    assert [taken(book), taken(book, other)] == [2, 2]
    assert served(book) == {2: 6, 3: 0}


def test_a_shared_copy_given_times_is_not_recalled() -> None:
    book = book_of((1, "GET", Reply(201), None))
    assert taken(book) == 1
    next(iter(book)).remaining = 1  # what pretenders_proxy/shared/copies.py may do
    assert book.recall(ASKED) is None


def test_delays_faults_and_timed_out_regexes_are_not_remembered() -> None:
    for reply in (Reply(200, after=0.5), Reply(fault=Fault.RESET)):
        book = book_of((1, "GET", reply, None))
        book.take(Subject(ASKED), memo=True)
        assert book.recall(ASKED) is None
    book = book_of((1, "GET /(a|a)*$", Reply(201), None), (2, "GET /", Reply(202), None))
    slow = Request("GET", b"/" + b"a" * 30 + b"!")
    assert book.take(Subject(slow, Budget(0.01)), memo=True) is not None
    assert book.recall(slow) is None  # preset 1 timed out: next time it may not


def test_the_memo_is_bounded() -> None:
    book = book_of((1, "GET", Reply(201), None))
    asked = [Request("GET", b"/%d" % n) for n in range(memo.LIMIT + 1)]
    for request in asked:
        book.take(Subject(request), memo=True)
    assert book.recall(asked[-1]) is not None and book.recall(asked[0]) is None
