"""The one decision on a request, for both ways in: a table over the way in, the mode, the
presets and the recordings."""

from typing import Any

import pytest

from pretenders_proxy.errors import CassetteError
from pretenders_proxy.matching.modes import Mode, ModeConfig, OnMiss, OnStale
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.model.journal import Note, Source
from pretenders_proxy.model.preset import Fault, Preset, Reply, Rule
from pretenders_proxy.store.answering import (
    ERROR_HEADER,
    MISS_HEADER,
    Failed,
    Missed,
    Outcome,
    Refused,
    Replayed,
    Upstream,
    Via,
    answer,
    connect,
    missed,
    reaches_upstream,
)
from pretenders_proxy.store.playback import Playback
from pretenders_proxy.store.presets import PresetFault, PresetReply
from pretenders_proxy.store.session import Session, SessionProtocol
from pretenders_proxy.store.sessions import Store
from pretenders_proxy.store.tape import Recorded, Tape
from tests.pretenders_proxy.factories import exchange, request

CASSETTE = "c.cassette"
SAVED = request(path=b"/saved")
"""Recorded in the session's cassette (when it has one), and matched by the preset `GET /saved`."""
OTHER = request(path=b"/other")
"""Neither recorded nor matched by any preset."""


def _session(
    mode: Mode = Mode.MOCK, on_miss: OnMiss = OnMiss.ERROR, *rules: str, store: Store | None = None
) -> Session:
    store = store or Store()
    session = store.open("s", SessionProtocol.HTTP)
    for rule in rules:
        store.add_preset(session, Preset(Rule(rule), Reply(201, body=b"preset")))
    tape = Tape()
    tape.add(Recorded.of(CASSETTE, 1, 0, exchange(SAVED, body=b"recorded")))
    cassettes = (CASSETTE,) if mode is not Mode.MOCK else ()
    session.playback = Playback(ModeConfig(mode, cassettes, on_miss), tape)
    return session


def _summary(outcome: Outcome) -> tuple[str, Any]:
    """The kind of outcome and what tells it apart, for the table."""
    match outcome:
        case PresetReply(_, response, _):
            return "preset", response.body
        case PresetFault(_, fault, _):
            return "fault", fault
        case Replayed(response, where):
            return "cassette", (response.body, where)
        case Upstream(record):
            return "upstream", record
        case Missed(explanation, _):
            return "miss", explanation.splitlines()[0]
        case Failed(problem, _):
            return "failed", problem


REPLAY, RECORD, MOCK = Mode.REPLAY, Mode.RECORD, Mode.MOCK
ERROR, PASSTHROUGH = OnMiss.ERROR, OnMiss.PASSTHROUGH
NO_PRESET = "No preset matched GET /saved (host api.example.test)."
NO_RECORDING = "No recording matched GET https://api.example.test/other."


@pytest.mark.parametrize(
    ("via", "mode", "on_miss", "rules", "seen", "expected"),
    [
        # /mockhttp/ answers from presets only, whatever the mode, and explains presets only
        (Via.MOCKHTTP, MOCK, ERROR, ["GET /saved"], SAVED, ("preset", b"preset")),
        (Via.MOCKHTTP, REPLAY, ERROR, [], SAVED, ("miss", NO_PRESET)),
        (Via.MOCKHTTP, RECORD, ERROR, [], SAVED, ("miss", NO_PRESET)),
        (Via.MOCKHTTP, REPLAY, PASSTHROUGH, [], SAVED, ("miss", NO_PRESET)),
        # the proxy: presets first, then the cassettes, then the mode's miss action
        (Via.PROXY, MOCK, ERROR, ["GET /saved"], SAVED, ("preset", b"preset")),
        (Via.PROXY, MOCK, ERROR, [], SAVED, ("miss", NO_PRESET)),
        (Via.PROXY, RECORD, ERROR, ["GET /saved"], SAVED, ("preset", b"preset")),
        (Via.PROXY, RECORD, ERROR, [], SAVED, ("upstream", CASSETTE)),
        (Via.PROXY, REPLAY, ERROR, ["GET /saved"], SAVED, ("preset", b"preset")),
        (Via.PROXY, REPLAY, ERROR, [], SAVED, ("cassette", (b"recorded", "c.cassette #1"))),
        (Via.PROXY, REPLAY, ERROR, [], OTHER, ("miss", NO_RECORDING)),
        (Via.PROXY, REPLAY, PASSTHROUGH, [], OTHER, ("upstream", None)),
        (Via.PROXY, REPLAY, OnMiss.RECORD, [], OTHER, ("upstream", CASSETTE)),
    ],
)
def test_what_answers(
    via: Via, mode: Mode, on_miss: OnMiss, rules: list[str], seen: Request, expected: object
) -> None:
    outcome = answer(_session(mode, on_miss, *rules), seen, via, 404)
    assert _summary(outcome) == expected


def test_a_replay_miss_explains_the_closest_recording_then_the_closest_preset() -> None:
    session = _session(REPLAY, ERROR, "POST /other")
    outcome = answer(session, OTHER, Via.PROXY, 404)
    assert isinstance(outcome, Missed)
    lines = outcome.explanation.splitlines()
    assert lines[0] == NO_RECORDING
    assert "Closest recording: GET https://api.example.test/saved (c.cassette #1)" in lines[1]
    assert "No preset matched GET /other (host api.example.test)." in lines
    mocked = answer(session, OTHER, Via.MOCKHTTP, 404)
    assert isinstance(mocked, Missed) and mocked.explanation.startswith("No preset matched")


def test_a_gone_session_is_a_miss_through_the_proxy() -> None:
    outcome = answer(None, OTHER, Via.PROXY, 418)
    assert isinstance(outcome, Missed) and outcome.response.status == 418
    assert outcome.explanation == "No preset matched GET /other: its session is gone.\n"


@pytest.mark.parametrize("via", list(Via))
def test_a_preset_serves_its_times_then_misses(via: Via) -> None:
    store = Store()
    session = _session(store=store)
    preset = store.add_preset(session, Preset(Rule("GET"), Reply(202, after=0.5), times=2))
    first, second, third = (answer(session, OTHER, via, 404) for _ in range(3))
    note = Note(Source.PRESET, preset.id)
    assert first == second == PresetReply(preset.id, Response(202, (), b""), 0.5, note)
    assert isinstance(third, Missed)


@pytest.mark.parametrize("via", list(Via))
@pytest.mark.parametrize("fault", list(Fault))
def test_a_fault_preset(via: Via, fault: Fault) -> None:
    store = Store()
    session = _session(store=store)
    preset = store.add_preset(session, Preset(Rule("GET"), Reply(fault=fault, after=0.1)))
    outcome = answer(session, OTHER, via, 404)
    note = Note(Source.PRESET, preset.id, error=f"fault: {fault}")
    assert outcome == PresetFault(preset.id, fault, 0.1, note)


@pytest.mark.parametrize(
    ("error", "problem"),
    [
        (CassetteError("c.cassette changed"), "replaying this request failed: c.cassette changed"),
        (RuntimeError("bug"), "replaying this request failed: RuntimeError('bug')"),
    ],
)
def test_a_broken_recording_fails_closed(
    monkeypatch: pytest.MonkeyPatch, error: Exception, problem: str
) -> None:
    def broken(recorded: Recorded) -> Response:
        raise error

    monkeypatch.setattr(Recorded, "response", broken)
    outcome = answer(_session(REPLAY), SAVED, Via.PROXY, 404)
    assert outcome == Failed(problem, error)
    assert outcome.response.status == 500 and ERROR_HEADER in outcome.response.headers
    assert outcome.note == Note(Source.MISS, miss=f"pretenders: {problem}\n")


def test_what_each_outcome_says_to_journal() -> None:
    assert Replayed(Response(200), "c #1").note == Note(Source.CASSETTE)
    assert Upstream(CASSETTE).note == Upstream().note == Note(Source.UPSTREAM)
    assert missed("why\n", 404).note == Note(Source.MISS, miss="why\n")


def test_the_miss_reply_is_marked() -> None:
    response = missed("why", 418).response
    assert response.status == 418 and MISS_HEADER in response.headers and response.body == b"why"


@pytest.mark.parametrize(
    ("mode", "on_miss", "why"),
    [
        (MOCK, OnMiss.ERROR, "mock mode sends nothing upstream"),
        (MOCK, OnMiss.PASSTHROUGH, "mock mode sends nothing upstream"),
        (REPLAY, OnMiss.ERROR, "replay with on-miss error sends nothing upstream"),
        (REPLAY, OnMiss.PASSTHROUGH, None),
        (REPLAY, OnMiss.RECORD, None),
        (RECORD, OnMiss.ERROR, None),
    ],
)
def test_a_connection_that_is_not_http_goes_upstream_only_where_misses_do(
    mode: Mode, on_miss: OnMiss, why: str | None
) -> None:
    session = _session(mode, on_miss, "")  # a preset matching everything answers HTTP only
    outcome = connect(session, "raw TCP to db.test:5432")
    assert reaches_upstream(session) is (why is None)
    if why is None:
        assert outcome == Upstream()  # passed through, never recorded
    else:
        assert isinstance(outcome, Refused)
        assert outcome.explanation.startswith(
            f"pretenders: raw TCP to db.test:5432 was refused: {why}."
        )
        assert outcome.note == Note(Source.MISS, miss=outcome.explanation)


def test_a_connection_of_a_gone_session_is_refused() -> None:
    outcome = connect(None, "UDP to 10.0.0.1:53")
    assert not reaches_upstream(None)
    assert isinstance(outcome, Refused) and "its session is gone" in outcome.explanation


def _aged(on_stale: OnStale, max_age: float | None = 30 * 86400.0) -> Session:
    """A replay session whose one recording (of SAVED) was made on 2026-01-02 (factories)."""
    session = _session(Mode.REPLAY)
    config = ModeConfig(Mode.REPLAY, (CASSETTE,), max_age=max_age, on_stale=on_stale)
    session.playback = Playback(config, session.playback.tape)
    return session


def test_a_stale_recording_is_played_and_noted_with_warn(caplog: pytest.LogCaptureFixture) -> None:
    session = _aged(OnStale.WARN)
    outcomes = [answer(session, SAVED, Via.PROXY, 404) for _ in range(3)]
    assert all(isinstance(o, Replayed) and o.response.body == b"recorded" for o in outcomes)
    note = outcomes[0].note
    assert note.source is Source.CASSETTE and note.stale is not None
    assert note.stale.startswith("recorded 2026-01-02T03:04:05+00:00, ")
    assert note.stale.endswith(" days ago, older than max-age 30d")
    assert len([r for r in caplog.records if "stale recording" in r.message]) == 1  # once


def test_without_max_age_nothing_is_stale() -> None:
    outcome = answer(_aged(OnStale.FAIL, None), SAVED, Via.PROXY, 404)
    assert isinstance(outcome, Replayed) and outcome.note == Note(Source.CASSETTE)


def test_a_stale_recording_is_a_miss_with_fail() -> None:
    outcome = answer(_aged(OnStale.FAIL), SAVED, Via.PROXY, 404)
    assert isinstance(outcome, Missed) and outcome.response.status == 404
    assert outcome.explanation.startswith(
        "The recording of GET https://api.example.test/saved (c.cassette #1) is stale: "
        "recorded 2026-01-02T03:04:05+00:00, "
    )
    assert outcome.note.source is Source.MISS and outcome.note.stale is not None


def test_a_stale_recording_goes_upstream_to_be_recorded_in_its_place_with_record() -> None:
    session = _aged(OnStale.RECORD)
    assert reaches_upstream(session) and session.playback.config.recording == CASSETTE
    outcome = answer(session, SAVED, Via.PROXY, 404)
    assert isinstance(outcome, Upstream)
    assert (outcome.record, outcome.replaces) == (CASSETTE, "c.cassette #1")
    assert outcome.note.source is Source.UPSTREAM and outcome.note.stale is not None


def test_a_fresh_dated_recording_after_the_stale_one_answers_in_its_place_with_record() -> None:
    from dataclasses import replace
    from datetime import UTC, datetime

    from pretenders_proxy.model.exchange import Meta

    session = _aged(OnStale.RECORD)
    tape = session.playback.tape
    undated = replace(exchange(SAVED, body=b"undated"), meta=Meta())
    fresh = replace(
        exchange(SAVED, body=b"fresh"), meta=Meta(recorded_at=datetime.now(UTC).isoformat())
    )
    tape.add(Recorded.of(CASSETTE, 2, 0, undated))
    tape.add(Recorded.of(CASSETTE, 3, 0, fresh))
    first = answer(session, SAVED, Via.PROXY, 404)
    assert isinstance(first, Replayed) and first.response.body == b"fresh"
    assert first.note == Note(Source.CASSETTE)
    second = answer(session, SAVED, Via.PROXY, 404)
    assert isinstance(second, Replayed) and second.response.body == b"undated"
