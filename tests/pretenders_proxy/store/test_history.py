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
