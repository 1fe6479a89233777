"""Copies of the shared store's sessions, made again from what a pull brought (no Redis)."""

from pretenders_proxy.model.http import Request
from pretenders_proxy.model.journal import Entry, Source
from pretenders_proxy.model.preset import Preset, Reply, Rule
from pretenders_proxy.shared import codec
from pretenders_proxy.shared.copies import Marks, book, copy_history, copy_session
from pretenders_proxy.store import PresetBook, Store
from pretenders_proxy.store.session import SessionProtocol

META = {"protocol": "smtp", "timeout": "1500", "started": "1000", "seen": "3000", "serial": "7"}
HISTORY = {"hg": "0", "hdrop": "2"}


def item(stream_id: str, entry_id: int, path: bytes) -> tuple[bytes, list[bytes]]:
    entry = Entry(0, "s", 1.0, Request("GET", path), Source.MISS)
    fields = [b"i", str(entry_id).encode(), b"d", codec.dumps(entry), b"w", b"600"]
    return stream_id.encode(), fields


def test_a_session_is_copied_as_its_meta_says_idle_since_redis_saw_it() -> None:
    store, marks = Store(), Marks()
    session = copy_session(store, "s", META, 4000, marks)
    assert (session.protocol, session.timeout, session.serial) == (SessionProtocol.SMTP, 1.5, 7)
    assert marks.serial == 7 and store.sessions["s"] is session
    assert 0.9 < store.clock.monotonic() - session.last_seen < 1.1  # 1 s idle by Redis's clock


def test_history_gets_what_it_lacks_once_and_starts_again_on_a_new_generation() -> None:
    store, marks, seen = Store(), Marks(), []
    session = copy_session(store, "s", META, 3000, marks)
    first, second = item("5-0", 11, b"/a"), item("6-0", 12, b"/b")
    copy_history(session, HISTORY, [first], marks, seen.append, {})
    copy_history(session, HISTORY, [first, second], marks, seen.append, {})  # an older pull's
    assert [e.id for e in session.history] == [11, 12] and len(seen) == 2
    assert session.history.dropped == 2 and marks.history.last == "6-0"
    copy_history(
        session, {"hg": "1", "hdrop": "0"}, [item("7-0", 13, b"/c")], marks, seen.append, {}
    )
    assert [e.request.path for e in session.history] == [b"/c"]  # cleared elsewhere
    copy_history(session, HISTORY, [first], marks, seen.append, {})  # a pull from before the clear
    assert [e.id for e in session.history] == [13]


def test_a_book_keeps_creation_order_remaining_counts_and_what_served() -> None:
    presets = {n: Preset(Rule(f"GET /{n}"), Reply(200)) for n in (3, 9)}
    old = PresetBook()
    old.add(3, presets[3]).served = 4
    made = book(PresetBook(), old, [b"9", b"3"], presets, {9: 2})
    assert [(s.id, s.remaining, s.served) for s in made] == [(3, None, 4), (9, 2, 0)]
