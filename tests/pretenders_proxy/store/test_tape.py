import pytest

from pretenders_proxy.matching import canonical
from pretenders_proxy.matching.fields import MatchSpec
from pretenders_proxy.matching.modes import Repeat
from pretenders_proxy.store.tape import Recorded, Tape, explain_recording_miss
from tests.pretenders_proxy.factories import exchange, request

GET = request(path=b"/counter")
POST = request("POST", b"/counter", body=b"1")


def _tape(*requests_and_bodies: tuple[object, bytes], repeat: Repeat = Repeat.LAST) -> Tape:
    tape = Tape(MatchSpec(), repeat)
    for position, (req, body) in enumerate(requests_and_bodies, 1):
        tape.add(Recorded.of("c.cassette", position, position * 100, exchange(req, body=body)))  # type: ignore[arg-type]
    return tape


def _bodies(tape: Tape, *requests: object) -> list[bytes | None]:
    played = [tape.play(r) for r in requests]  # type: ignore[arg-type]
    return [None if p is None else p.response().body for p in played]


def test_equal_requests_play_in_recorded_order_then_the_last_again() -> None:
    tape = _tape((POST, b"1"), (GET, b"1"), (POST, b"2"), (GET, b"2"))
    assert len(tape) == 4
    assert _bodies(tape, POST, GET, POST, GET, GET, POST) == [b"1", b"1", b"2", b"2", b"2", b"2"]


def test_repeat_never_makes_the_extra_ones_misses() -> None:
    tape = _tape((GET, b"1"), (GET, b"2"), repeat=Repeat.NEVER)
    assert tape.played_out(GET) == 0
    assert _bodies(tape, GET, GET, GET) == [b"1", b"2", None]
    assert tape.played_out(GET) == 2
    assert "matched 2 recording(s), all played already (repeat: never" in explain_recording_miss(
        tape, GET
    )


def test_what_was_just_recorded_counts_as_played() -> None:
    tape = _tape((GET, b"1"), repeat=Repeat.NEVER)
    assert _bodies(tape, GET) == [b"1"]
    tape.add(Recorded.of("c.cassette", 2, 200, exchange(GET, body=b"2")), played=True)
    assert _bodies(tape, GET) == [None]


def test_the_nearest_recording_fails_the_fewest_matchers() -> None:
    tape = _tape((GET, b"g"), (POST, b"p"), (request(path=b"/other"), b"o"))
    miss = tape.nearest(request("POST", b"/counter", body=b"2"))
    assert miss.closest is not None and miss.closest.position == 2
    assert miss.failures == ("body: 1 bytes b'2' (recorded: 1 bytes b'1')",)


def test_ties_go_to_the_most_similar_url() -> None:
    tape = _tape((request(path=b"/users/1"), b""), (request(path=b"/orders/1"), b""))
    miss = tape.nearest(request(path=b"/users/2"))
    assert miss.closest is not None and miss.closest.request.path == b"/users/1"


def test_the_explanation_names_the_closest_recording_and_where_it_is() -> None:
    tape = _tape((GET, b"1"))
    text = explain_recording_miss(tape, request(path=b"/counter", query=b"page=2"))
    assert text == (
        "No recording matched GET https://api.example.test/counter?page=2.\n"
        "Closest recording: GET https://api.example.test/counter (c.cassette #1), "
        "which differs in:\n"
        "  - query: page=2 (recorded: (none))\n"
        "Values that differ (this request vs the recording), as --ignore takes them:\n"
        "  query:page: 2 vs (absent)\n"
    )
    assert "hold no recordings" in explain_recording_miss(Tape(), GET)


def test_unplayed_recordings_in_cassette_order() -> None:
    tape = _tape((POST, b"1"), (GET, b"1"), (POST, b"2"), (GET, b"2"))
    _bodies(tape, GET, POST)
    assert [r.position for r in tape.unplayed()] == [3, 4]
    _bodies(tape, GET, POST)
    assert tape.unplayed() == []


def test_recordings_added_at_once_play_as_if_added_one_by_one() -> None:
    made = [
        Recorded.of("c.cassette", n, n * 100, exchange(r, body=str(n).encode()))
        for n, r in enumerate([POST, GET, POST, GET, request(path=b"/other")], 1)
    ]
    at_once, one_by_one = Tape(MatchSpec()), Tape(MatchSpec())
    at_once.extend(made)
    for recorded in made:
        one_by_one.add(recorded)
    requests = [GET, POST, GET, POST, GET, request(path=b"/other")]
    assert _bodies(at_once, *requests) == _bodies(one_by_one, *requests) == [
        b"2", b"1", b"4", b"3", b"4", b"5"
    ]  # fmt: skip
    assert at_once.unplayed() == one_by_one.unplayed() == []


def test_a_miss_parses_no_recorded_body_again(monkeypatch: pytest.MonkeyPatch) -> None:
    json_type = ((b"Content-Type", b"application/json"),)
    tape = Tape(MatchSpec())
    recordings = [
        Recorded.of("c", n, 0, exchange(request("POST", body=b'{"n": %d}' % n, headers=json_type)))
        for n in range(200)
    ]
    tape.extend(recordings)
    parsed: list[bytes] = []
    real = canonical.parse_json
    monkeypatch.setattr(
        canonical, "parse_json", lambda body, *a: parsed.append(body) or real(body, *a)
    )
    miss = tape.nearest(request("POST", body=b'{"n": 7.0, "x": 1}', headers=json_type))
    assert miss.closest is not None and miss.closest.position == 0  # all as far: the first
    assert len(parsed) <= 5  # this request's key, and the closest one's failures
    assert miss.failures == (
        'body: 18 bytes b\'{"n": 7.0, "x": 1}\' (recorded: 8 bytes b\'{"n": 0}\')',
    )


def test_a_re_recording_takes_the_place_of_the_stale_one() -> None:
    tape = _tape((GET, b"1"), (GET, b"2"))
    first = tape.play(GET)
    assert first is not None
    tape.replace(first.where, Recorded.of("c.cassette", 3, 300, exchange(GET, body=b"new")))
    assert _bodies(tape, GET, GET) == [b"2", b"2"]  # the second as before, then the last again
    assert [r.response().body for r in tape.unplayed()] == []
    tape.replace("c.cassette #9", Recorded.of("c.cassette", 4, 400, exchange(GET, body=b"4")))
    assert _bodies(tape, GET) == [b"4"]  # not there: after the others, as played


def test_a_fresh_recording_later_in_the_cassette_is_promoted_into_the_stale_ones_place() -> None:
    tape = _tape((GET, b"old 1"), (GET, b"old 2"), (POST, b"p"), (GET, b"new 1"))
    stale = tape.play(GET)
    assert stale is not None

    def is_fresh(recorded: Recorded) -> bool:
        return recorded.response().body.startswith(b"new")

    promoted = tape.promote(stale, is_fresh)
    assert promoted is not None and promoted.response().body == b"new 1"
    assert _bodies(tape, GET, GET) == [b"old 2", b"old 2"]
    assert tape.promote(stale, is_fresh) is None  # no longer on the tape
    last = tape.play(GET)
    assert last is not None and tape.promote(last, is_fresh) is None  # nothing after it
