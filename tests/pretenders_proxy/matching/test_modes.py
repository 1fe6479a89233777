import pytest

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.matching.modes import (
    CassettePlan,
    MissAction,
    Mode,
    ModeConfig,
    OnMiss,
    OnStale,
    RecordMode,
    Repeat,
    choice,
    decide,
    plan,
)


@pytest.mark.parametrize(
    ("mode", "on_miss", "action"),
    [
        (Mode.MOCK, OnMiss.ERROR, MissAction.MISS),
        (Mode.MOCK, OnMiss.PASSTHROUGH, MissAction.MISS),
        (Mode.MOCK, OnMiss.RECORD, MissAction.MISS),
        (Mode.RECORD, OnMiss.ERROR, MissAction.RECORD),
        (Mode.RECORD, OnMiss.PASSTHROUGH, MissAction.RECORD),
        (Mode.RECORD, OnMiss.RECORD, MissAction.RECORD),
        (Mode.REPLAY, OnMiss.ERROR, MissAction.MISS),
        (Mode.REPLAY, OnMiss.PASSTHROUGH, MissAction.FORWARD),
        (Mode.REPLAY, OnMiss.RECORD, MissAction.RECORD),
    ],
)
def test_decide(mode: Mode, on_miss: OnMiss, action: MissAction) -> None:
    assert decide(mode, on_miss) is action


@pytest.mark.parametrize(
    ("config", "replaying", "recording"),
    [
        (ModeConfig(), (), None),
        (ModeConfig(Mode.MOCK, ("a",)), (), None),
        (ModeConfig(Mode.RECORD, ("a",)), (), "a"),
        (ModeConfig(Mode.REPLAY, ("a", "b")), ("a", "b"), None),
        (ModeConfig(Mode.REPLAY, ("a", "b"), OnMiss.RECORD), ("a", "b"), "a"),
        (ModeConfig(Mode.REPLAY, ("a",), OnMiss.PASSTHROUGH), ("a",), None),
    ],
)
def test_what_a_config_reads_and_writes(
    config: ModeConfig, replaying: tuple[str, ...], recording: str | None
) -> None:
    assert (config.replaying, config.recording) == (replaying, recording)


@pytest.mark.parametrize(
    ("mode", "cassettes", "problem"),
    [
        (Mode.RECORD, (), "record mode needs a cassette"),
        (Mode.REPLAY, (), "replay mode needs a cassette"),
        (Mode.RECORD, ("a", "b"), "record mode writes one cassette"),
    ],
)
def test_impossible_configs(mode: Mode, cassettes: tuple[str, ...], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        ModeConfig(mode, cassettes)


def test_choice_names_the_choices() -> None:
    assert choice(Repeat, " NEVER ", "repeat") is Repeat.NEVER
    with pytest.raises(
        ConfigError, match="on-miss 'skip' is not one of error, passthrough, record"
    ):
        choice(OnMiss, "skip", "on-miss")


@pytest.mark.parametrize(
    ("record_mode", "exists", "expected"),
    [
        (RecordMode.ONCE, False, CassettePlan(Mode.RECORD)),
        (RecordMode.ONCE, True, CassettePlan(Mode.REPLAY, OnMiss.ERROR)),
        (RecordMode.NONE, True, CassettePlan(Mode.REPLAY, OnMiss.ERROR)),
        (RecordMode.NEW_EPISODES, True, CassettePlan(Mode.REPLAY, OnMiss.RECORD)),
        (RecordMode.NEW_EPISODES, False, CassettePlan(Mode.RECORD)),
        (RecordMode.ALL, True, CassettePlan(Mode.RECORD, fresh=True)),
        (RecordMode.ALL, False, CassettePlan(Mode.RECORD, fresh=True)),
    ],
)
def test_record_modes_plan_like_vcr(
    record_mode: RecordMode, exists: bool, expected: CassettePlan
) -> None:
    assert plan(record_mode, exists) == expected


def test_record_mode_none_needs_the_cassette() -> None:
    with pytest.raises(ConfigError, match="record mode none never records"):
        plan(RecordMode.NONE, exists=False)


@pytest.mark.parametrize("speed", [-1, float("nan"), float("inf")])
def test_a_replay_speed_is_a_factor_at_least_zero(speed: float) -> None:
    with pytest.raises(ConfigError, match=f"replay_speed {speed} is not a speed: give 0"):
        ModeConfig(replay_speed=speed)
    assert ModeConfig(replay_speed=0).replay_speed == 0
    assert ModeConfig().replay_speed is None  # the server's --replay-speed


def test_a_mode_with_a_bad_ignore_spec_is_refused_before_it_switches() -> None:
    assert ModeConfig(ignore=("query:_ts",)).ignore == ("query:_ts",)
    with pytest.raises(ConfigError, match="ignore 'form:': name the form part"):
        ModeConfig(ignore=("query:_ts", "form:"))


def test_on_stale_record_records_stale_replays_to_the_first_cassette() -> None:
    replaying = ModeConfig(Mode.REPLAY, ("a.cassette", "b.cassette"))
    assert (replaying.rerecords, replaying.recording) == (False, None)
    stale_warns = ModeConfig(Mode.REPLAY, ("a.cassette",), max_age=60)
    assert (stale_warns.rerecords, stale_warns.recording) == (False, None)
    records = ModeConfig(
        Mode.REPLAY, ("a.cassette", "b.cassette"), max_age=60, on_stale=OnStale.RECORD
    )
    assert (records.rerecords, records.recording) == (True, "a.cassette")
    no_age = ModeConfig(Mode.REPLAY, ("a.cassette",), on_stale=OnStale.RECORD)
    assert no_age.recording is None  # nothing is ever stale
    with pytest.raises(ConfigError, match="max-age -1 must be a duration of 0 or more"):
        ModeConfig(max_age=-1)
