"""SharedState: two instances' stores on one real redis-server, in one process."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from pretenders_proxy.errors import StoreUnavailableError, TooManySessionsError
from pretenders_proxy.matching.modes import Mode, ModeConfig
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.model.journal import Note, Source
from pretenders_proxy.model.preset import Preset, Reply, Rule
from pretenders_proxy.shared import codec
from pretenders_proxy.shared.scripts import session_key
from pretenders_proxy.shared.state import SharedState, key_field
from pretenders_proxy.store import Session, Store
from pretenders_proxy.store.answering import Missed, PresetReply, Via
from pretenders_proxy.store.session import SessionProtocol
from tests.integration.redis_server import RedisServer

GET = Request("GET", b"/a")
switched: list[tuple[str, ModeConfig]] = []


def switch(session: Session, config: ModeConfig) -> None:
    switched.append((session.name, config))


@pytest.fixture
async def pair(redis_server: RedisServer) -> AsyncIterator[list[SharedState]]:
    states = [SharedState(Store(), redis_server.url, "t", switch) for _ in range(2)]
    for state in states:
        await state.start()
    yield states
    for state in states:
        await state.close()


async def test_a_preset_added_on_one_serves_its_times_between_both(
    pair: list[SharedState],
) -> None:
    a = pair[0]
    session = await a.open("s", SessionProtocol.HTTP)
    await a.add_preset(session, Preset(Rule("GET /a"), Reply(200, body=b"ok"), times=3))
    outcomes = []
    for n in range(4):
        state = pair[n % 2]
        seen = await state.traffic("s", create=False)
        outcomes.append(await state.answer(seen, GET, Via.MOCKHTTP, 404))
    assert [type(o) for o in outcomes] == [PresetReply, PresetReply, PresetReply, Missed]


async def test_history_written_on_one_is_read_and_waited_for_on_the_other(
    pair: list[SharedState],
) -> None:
    a, b = pair
    session = await a.open("s", SessionProtocol.HTTP)
    seen: list[object] = []
    b.store.events.subscribe(seen.append)
    await b.catch_up()
    await a.journal(session, GET, Note(Source.MISS, miss="no"))
    for _ in range(100):  # B's follower pulls it in as soon as it is logged
        if seen:
            break
        await asyncio.sleep(0.01)
    (entry,) = seen
    assert entry.request.path == b"/a" and entry.id >= 1  # type: ignore[attr-defined]
    await b.catch_up()
    assert [e.id for e in b.store.get("s").history] == [entry.id]  # type: ignore[attr-defined]


async def test_a_preset_answer_journaled_again_reads_back_whole_on_the_other(
    pair: list[SharedState],
) -> None:
    """Entries after the first of one request object and preset answer are packed from its
    shape (codec.dumps_shaped), naming the preset's reply kept once: the other instance reads
    each back as measuring it gives, the reply one object for all."""
    a, b = pair
    session = await a.open("s", SessionProtocol.HTTP)
    note, reply = Note(Source.PRESET, 1), Response(200, ((b"A", b"b"),), b"r" * 1000)
    for took in (1.0, 2.5, 3.0):
        await a.journal(session, GET, note, reply, duration_ms=took)
    assert a.store.shape(GET, note, reply) is not None
    await b.catch_up()
    entries = list(b.store.get("s").history)
    assert [e.duration_ms for e in entries] == [1.0, 2.5, 3.0]
    assert entries[0].id < entries[1].id < entries[2].id
    for entry in entries:
        measured, _ = b.store.entry("s", entry.id, GET, note, reply, duration_ms=entry.duration_ms)
        assert entry == measured._replace(time=entry.time)
    assert entries[1].response is entries[2].response
    named = await b.redis.hgetall(session_key("t", "s", "replies"))
    assert list(named.values()) == [codec.dumps(reply)]


async def test_a_mode_set_on_one_is_switched_to_on_the_other_once(
    pair: list[SharedState],
) -> None:
    a, b = pair
    switched.clear()
    session = await a.open("m", SessionProtocol.HTTP)
    config = ModeConfig(Mode.RECORD, ("x.cassette",))
    await a.set_mode(session, config)
    await b.traffic("m", create=False)
    await a.catch_up()
    assert switched == [("m", config)]  # B's: A switched itself before it said so


async def test_the_most_sessions_hold_for_the_fleet(redis_server: RedisServer) -> None:
    store = Store(max_sessions=2)
    state = SharedState(store, redis_server.url, "most", switch)
    await state.start()  # `default` is one
    try:
        await state.open("one", SessionProtocol.HTTP)
        with pytest.raises(TooManySessionsError, match="2 sessions are live"):
            await state.open("two", SessionProtocol.HTTP)
    finally:
        await state.close()


async def test_an_unreachable_store_is_a_store_unavailable_error_and_health_says_so(
    redis_server: RedisServer,
) -> None:
    state = SharedState(Store(), redis_server.url, "down", switch)
    await state.start()
    try:
        redis_server.stop()
        with pytest.raises(StoreUnavailableError, match="unreachable"):
            await state.traffic("default", create=False)
        assert state.health()["state"] == "down"
    finally:
        await state.close()


def test_a_match_key_is_one_field_in_every_process() -> None:
    assert key_field(("GET", b"/a", ())) == key_field(("GET", b"/a", ()))
    assert len(key_field(("GET",))) == 32
    # remembered by key object, not value: equal keys with other reprs get their own field
    one, one_float = ("GET", 1), ("GET", 1.0)
    assert one == one_float and key_field(one) != key_field(one_float)
    assert key_field(one) == key_field(("GET", 1)) and key_field(one_float) == key_field(one_float)


async def test_a_full_redis_is_unavailable_by_name_and_recovers(
    redis_server: RedisServer,
) -> None:
    state = SharedState(Store(), redis_server.url, "full", switch)
    await state.start()
    admin = Redis.from_url(redis_server.url)
    try:
        session = await state.open("s", SessionProtocol.HTTP)
        await admin.config_set("maxmemory", "1")  # noeviction: every write refused
        with pytest.raises(StoreUnavailableError, match=r"refusing changes.*maxmemory"):
            await state.journal(session, GET, Note(Source.MISS, miss="no"))
        assert state.health()["state"] == "down"
        await admin.config_set("maxmemory", "0")
        assert await state.journal(session, GET, Note(Source.MISS, miss="no")) == 1
    finally:
        await admin.aclose()
        await state.close()


async def test_history_off_on_one_counts_times_on_both_and_keeps_nothing(
    pair: list[SharedState],
) -> None:
    a, b = pair
    session = await a.open("quiet", SessionProtocol.HTTP)
    await a.add_preset(session, Preset(Rule("GET /a"), Reply(200, body=b"ok"), times=3))
    await b.mock("quiet", GET, 404, 0.1, 0.0)  # b's copy keeps history when a switches it off
    await a.record_history(session, False)
    outcomes = [await pair[n % 2].mock("quiet", GET, 404, 0.1, 0.0) for n in range(4)]
    assert [type(o) for o in outcomes] == [PresetReply, PresetReply, Missed, Missed]
    for state in pair:
        await state.catch_up()
        copy = state.store.get("quiet")
        assert not copy.record_history and len(copy.history) == 0
        assert copy.requests_seen == 5
    await a.record_history(a.store.get("quiet"), True)  # b's copy keeps none: it follows
    await b.mock("quiet", GET, 404, 0.1, 0.0)
    for state in pair:
        await state.catch_up()
        assert [e.source for e in state.store.get("quiet").history] == [Source.MISS]
