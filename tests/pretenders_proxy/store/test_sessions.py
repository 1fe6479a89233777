from dataclasses import replace
from datetime import datetime

import pytest

from pretenders_proxy.errors import NotFoundError, TooManySessionsError
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.model.journal import REQUEST_PREVIEW, Note, Source, TrafficProtocol, weight
from pretenders_proxy.model.preset import Preset, Reply, Rule
from pretenders_proxy.store.answering import CASSETTE_NOTE
from pretenders_proxy.store.session import SessionProtocol
from pretenders_proxy.store.sessions import DEFAULT_SESSION, Clock, Store


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> Clock:
        return Clock(
            now=lambda: self.now,
            monotonic=lambda: self.now,
            local=lambda: datetime.fromtimestamp(self.now),
        )


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def store(time: FakeTime) -> Store:
    return Store(history_limit=3, default_timeout=10.0, clock=time.clock())


def test_default_session_always_exists_and_never_expires(store: Store, time: FakeTime) -> None:
    time.now += 10**9
    assert store.get(DEFAULT_SESSION).timeout is None
    assert store.delete(DEFAULT_SESSION)
    assert store.find(DEFAULT_SESSION) is not None  # emptied, not gone


def test_open_reuses_a_live_session_unchanged(store: Store, time: FakeTime) -> None:
    first = store.open("fred", SessionProtocol.HTTP, 5.0)
    time.now += 1
    again = store.open("fred", SessionProtocol.HTTP, 99.0)
    assert again is first and again.timeout == 5.0
    assert (
        store.open(None, SessionProtocol.HTTP).name != store.open(None, SessionProtocol.HTTP).name
    )


def test_timeouts_default_forever_and_seconds(store: Store) -> None:
    assert store.open("a", SessionProtocol.HTTP).timeout == 10.0
    assert store.open("b", SessionProtocol.HTTP, None).timeout is None
    assert store.open("c", SessionProtocol.SMTP, 0.1).timeout == 0.1


def test_idle_sessions_expire_and_traffic_keeps_them(store: Store, time: FakeTime) -> None:
    busy, idle = (
        store.open("busy", SessionProtocol.HTTP, 5.0),
        store.open("idle", SessionProtocol.HTTP, 5.0),
    )
    for _ in range(3):
        time.now += 4
        store.touch(busy)
    assert store.find("idle") is None  # expired: gone at once, even before a sweep
    assert store.get("busy") is busy
    with pytest.raises(NotFoundError, match="idle"):
        store.get("idle")
    assert idle.is_expired(time.now)


def test_sweep_drops_only_expired_sessions(store: Store, time: FakeTime) -> None:
    store.open("short", SessionProtocol.HTTP, 1.0)
    store.open("long", SessionProtocol.HTTP, 100.0)
    time.now += 2
    assert store.sweep() == ["short"]
    assert set(store.sessions) == {DEFAULT_SESSION, "long"}


def test_touch_updates_last_call(store: Store, time: FakeTime) -> None:
    session = store.open("s", SessionProtocol.HTTP)
    assert session.last_call == session.started
    time.now += 3
    store.touch(session)
    assert (session.last_call - session.started).total_seconds() == 3


def test_history_is_bounded_and_counts_what_it_dropped(store: Store) -> None:
    session = store.get(DEFAULT_SESSION)
    missed = Note(Source.MISS)
    ids = [store.journal(session, Request("GET", b"/%d" % i), missed).id for i in range(5)]
    assert [e.id for e in session.history] == ids[2:]
    assert session.history.dropped == 2
    assert session.history[0].request.path == b"/2"
    session.history.clear()
    assert len(session.history) == 0 and session.history.dropped == 0


def test_history_says_what_each_request_was(store: Store) -> None:
    session = store.get(DEFAULT_SESSION)
    upgrade = Request("GET", b"/chat", headers=((b"Upgrade", b"websocket"),))
    missed = Note(Source.MISS)
    entries = [
        store.journal(session, Request("GET", b"/"), missed),
        store.journal(session, upgrade, missed),
        store.journal(
            session, Request("CONNECT", b"", scheme="tcp"), missed, protocol=TrafficProtocol.TCP
        ),
    ]
    assert [e.protocol for e in entries] == [
        TrafficProtocol.HTTP,
        TrafficProtocol.WEBSOCKET,
        TrafficProtocol.TCP,
    ]


def test_preset_ids_are_unique_across_sessions(store: Store) -> None:
    a = store.add_preset(store.open("a", SessionProtocol.HTTP), Preset(Rule(), Reply()))
    b = store.add_preset(store.open("b", SessionProtocol.HTTP), Preset(Rule(), Reply()))
    assert a.id != b.id


def test_history_keeps_64_kib_of_a_request_body_and_counts_its_bytes(store: Store) -> None:
    session = store.get(DEFAULT_SESSION)
    big = Request("POST", b"/up", body=b"u" * (REQUEST_PREVIEW + 1))
    entry = store.journal(session, big, Note(Source.MISS))
    assert (len(entry.request.body), entry.body_size, entry.body_truncated) == (
        REQUEST_PREVIEW,
        REQUEST_PREVIEW + 1,
        True,
    )
    assert session.history.bytes == weight(entry) > REQUEST_PREVIEW
    small = store.journal(session, Request("GET", b"/"), Note(Source.MISS))
    assert small.request.body == b"" and not small.body_truncated


def test_a_presets_shared_reply_is_not_counted_for_every_request(store: Store) -> None:
    session = store.get(DEFAULT_SESSION)
    reply = Response(200, body=b"r" * 10_000)
    for _ in range(3):
        store.journal(session, Request("GET", b"/"), Note(Source.PRESET, 1), reply)
    assert session.history.bytes < 3 * 10_000


def test_a_request_object_answered_again_by_a_preset_gets_the_same_entry_made_afresh(
    store: Store, time: FakeTime
) -> None:
    """The fast lanes hand every request of one head the same object: its later entries are
    made from the first one's shape, and equal what measuring it again gives."""
    session = store.get(DEFAULT_SESSION)
    seen = Request("GET", b"/a", headers=((b"Upgrade", b"websocket"),), body=b"b" * 10)
    note, reply = Note(Source.PRESET, 1), Response(200, body=b"r" * 100)
    first = store.journal(session, seen, note, reply, duration_ms=1.0)
    time.now += 5
    again = store.journal(session, seen, note, reply, duration_ms=2.0)
    fresh = store.entry("default", again.id, replace(seen), note, reply, duration_ms=2.0)
    assert first is not None and again is not None
    assert again == fresh[0] and again.protocol is TrafficProtocol.WEBSOCKET
    assert (again.id, again.time, again.duration_ms) == (first.id + 1, time.now, 2.0)
    assert session.history.bytes == 2 * fresh[1]
    other_note = Note(Source.PRESET, 2)  # another preset, another reply: measured again
    assert store.journal(session, seen, other_note, reply).preset_id == 2  # type: ignore[union-attr]
    missed = store.journal(session, seen, Note(Source.MISS, miss="no"), Response(404))
    assert missed is not None and (missed.source, missed.miss, missed.status) == ("miss", "no", 404)
    talk = store.journal(session, seen, note, reply, protocol=TrafficProtocol.TCP)
    assert talk is not None and talk.protocol is TrafficProtocol.TCP


def test_a_recording_replayed_again_to_one_request_object_is_journaled_from_its_shape(
    store: Store, time: FakeTime
) -> None:
    """A recording's response kept whole is one object (the cassette reader's): an entry of it
    replayed again is made from the first one's shape, counted as measuring it gives."""
    session = store.get(DEFAULT_SESSION)
    seen, recorded = Request("GET", b"/r"), Response(200, body=b"x" * 300)
    first = store.journal(session, seen, CASSETTE_NOTE, recorded, duration_ms=1.0)
    assert store.shape(seen, CASSETTE_NOTE, recorded) is not None
    time.now += 1
    again = store.journal(session, seen, CASSETTE_NOTE, recorded, duration_ms=2.0)
    fresh, weighs = store.entry("default", 0, replace(seen), CASSETTE_NOTE, recorded)
    assert first is not None and again is not None
    assert again == fresh._replace(id=again.id, time=again.time, duration_ms=2.0)
    assert session.history.bytes == 2 * weighs  # its body counted in each, as measured
    stale = Note(Source.CASSETTE, stale="2 days old")  # another note each time: measured
    assert store.journal(session, seen, stale, recorded).stale == "2 days old"  # type: ignore[union-attr]
    assert store.shape(seen, Note(Source.CASSETTE, stale="2 days old"), recorded) is None
    upstream = Note(Source.UPSTREAM)
    store.journal(session, seen, upstream, recorded)
    assert store.shape(seen, upstream, recorded) is None  # a live answer: never alike


def test_sessions_are_numbered_in_the_order_they_are_made(store: Store) -> None:
    first, second = (store.open(n, SessionProtocol.HTTP) for n in ("a", "b"))
    assert store.get(DEFAULT_SESSION).serial < first.serial < second.serial
    store.delete(DEFAULT_SESSION)  # made again: it comes last now, numbered so
    assert [s.serial for s in store.sessions.values()] == sorted(
        s.serial for s in store.sessions.values()
    )


def test_past_max_sessions_a_new_one_is_refused_until_one_goes(time: FakeTime) -> None:
    store = Store(max_sessions=3, default_timeout=10.0, clock=time.clock())
    store.open("a", SessionProtocol.HTTP)
    store.open("b", SessionProtocol.HTTP, 1.0)
    with pytest.raises(TooManySessionsError, match=r"3 sessions are live.*--max-sessions 3"):
        store.open("c", SessionProtocol.HTTP)
    assert store.open("a", SessionProtocol.HTTP) is store.get("a")  # a live one: still fine
    time.now += 2  # b expires: the room it leaves is taken
    assert store.open("c", SessionProtocol.HTTP).name == "c"
    store.delete("a")
    store.make_room()


def test_a_long_preset_reply_cut_for_each_request_is_counted_for_each(store: Store) -> None:
    session = store.get(DEFAULT_SESSION)
    reply = Response(200, body=b"r" * (REQUEST_PREVIEW + 1))  # cut: a copy per entry
    for _ in range(3):
        store.journal(session, Request("GET", b"/"), Note(Source.PRESET, 1), reply)
    assert session.history.bytes > 3 * REQUEST_PREVIEW


def test_a_session_without_history_counts_requests_and_keeps_none(store: Store) -> None:
    session = store.open("s", SessionProtocol.HTTP)
    published: list[object] = []
    store.events.subscribe(published.append)
    missed = Note(Source.MISS)
    assert store.journal(session, Request("GET", b"/kept"), missed) is not None
    store.record_history(session, False)  # what it kept goes
    assert len(session.history) == 0 and not session.record_history
    assert store.journal(session, Request("GET", b"/not"), missed) is None
    assert len(session.history) == 0 and len(published) == 1
    store.record_history(session, True)  # records from then on
    store.journal(session, Request("GET", b"/again"), missed)
    assert [e.request.path for e in session.history] == [b"/again"]
    assert session.requests_seen == 3
