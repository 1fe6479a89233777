from pretenders_proxy.model.journal import Entry, Source
from pretenders_proxy.store.history import History
from tests.pretenders_proxy.factories import request


def entry(number: int) -> Entry:
    return Entry(number, "s", float(number), request(), Source.PRESET)


def test_past_the_limit_the_oldest_go_and_are_counted() -> None:
    history = History(2)
    for number in range(5):
        history.add(entry(number))
    assert [e.id for e in history] == [3, 4]
    assert (len(history), history.dropped, history[0].id) == (2, 3, 3)


def test_clear_forgets_the_entries_and_the_count() -> None:
    history = History(1)
    history.add(entry(1))
    history.add(entry(2))
    history.clear()
    assert (list(history), history.dropped) == ([], 0)


def test_iterating_is_safe_while_entries_arrive() -> None:
    history = History(10)
    history.add(entry(1))
    for seen in history:
        history.add(entry(seen.id + 1))
    assert len(history) == 2


def test_past_its_bytes_the_oldest_go_too_but_never_the_newest() -> None:
    history = History(10, max_bytes=250)
    for number in range(1, 4):
        history.add(entry(number), 100)
    assert ([e.id for e in history], history.bytes, history.dropped) == ([2, 3], 200, 1)
    history.add(entry(4), 1000)  # alone over the bound: kept, everything older goes
    assert ([e.id for e in history], history.bytes, history.dropped) == ([4], 1000, 3)
    history.clear()
    assert (len(history), history.bytes, history.dropped) == (0, 0, 0)


def test_after_gives_the_entries_past_an_id() -> None:
    history = History(10)
    for number in (2, 4, 6, 8):
        history.add(entry(number))
    assert [e.id for e in history.after(0)] == [2, 4, 6, 8]
    assert [e.id for e in history.after(4)] == [6, 8]
    assert [e.id for e in history.after(5)] == [6, 8]
    assert history.after(8) == []
