"""The mode and cassette API bodies: a mode change keeps what it leaves out, a record mode
plans mode and on-miss for its one cassette; views fit their schemas."""

import pytest
from pydantic import ValidationError

from pretenders_proxy.api import cassette_views
from pretenders_proxy.api.cassette_schemas import CassetteExchangeOut, ModeIn
from pretenders_proxy.errors import BadRequestError, ConfigError
from pretenders_proxy.matching.modes import (
    CassettePlan,
    Mode,
    ModeConfig,
    OnMiss,
    OnStale,
    RecordMode,
    Repeat,
)
from tests.pretenders_proxy.samples import exchanges

CURRENT = ModeConfig(
    Mode.REPLAY, ("a.cassette",), OnMiss.PASSTHROUGH, Repeat.NEVER, ("path",), ignore=("query:_ts",)
)


def test_fields_left_out_keep_the_current_value() -> None:
    assert ModeIn().to_config(CURRENT) == CURRENT
    changed = ModeIn(cassettes=["b.cassette"], match_on=["method,path", "header:Accept"])
    assert changed.to_config(CURRENT) == ModeConfig(
        Mode.REPLAY,
        ("b.cassette",),
        OnMiss.PASSTHROUGH,
        Repeat.NEVER,
        ("method", "path", "header:Accept"),
        ignore=("query:_ts",),  # the --ignore flags stay
    )


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"match_on": ["colour"]}, "match-on: unknown field 'colour'"),
        ({"mode": "record", "cassettes": ["a", "b"]}, "record mode writes one cassette"),
    ],
)
def test_a_change_that_cannot_work_is_refused(body: dict[str, object], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        ModeIn.model_validate(body).to_config(CURRENT)


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match="modes"):
        ModeIn.model_validate({"modes": "replay"})


def test_the_exchange_view_fits_its_schema() -> None:
    for position, exchange in enumerate(exchanges()):
        shown = cassette_views.cassette_exchange(exchange, position)
        assert CassetteExchangeOut.model_validate(shown).model_dump() == shown


def test_a_record_mode_applies_to_its_one_cassette() -> None:
    body = ModeIn.model_validate({"record_mode": "new_episodes", "cassettes": ["a.cassette"]})
    assert body.record_cassette() == ("a.cassette", RecordMode.NEW_EPISODES)
    assert ModeIn.model_validate({"mode": "mock"}).record_cassette() is None


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"mode": "record"}, "give record_mode or mode, not both"),
        ({"on_miss": "record"}, "give record_mode or on_miss, not both"),
        ({"mode": "replay", "on_miss": "error"}, "give record_mode or mode and on_miss, not both"),
    ],
)
def test_a_record_mode_refuses_mode_and_on_miss_beside_it(
    body: dict[str, str], problem: str
) -> None:
    given = ModeIn.model_validate({"record_mode": "once", "cassettes": ["a.cassette"], **body})
    with pytest.raises(BadRequestError, match=problem):
        given.record_cassette()


@pytest.mark.parametrize("cassettes", [None, [], ["a.cassette", "b.cassette"]])
def test_a_record_mode_needs_exactly_one_cassette(cassettes: list[str] | None) -> None:
    given = ModeIn.model_validate({"record_mode": "once", "cassettes": cassettes})
    with pytest.raises(BadRequestError, match="needs the one cassette it applies to"):
        given.record_cassette()


def test_the_plan_gives_mode_and_on_miss() -> None:
    body = ModeIn.model_validate({"record_mode": "new_episodes", "cassettes": ["/c/a.cassette"]})
    made = body.to_config(ModeConfig(), CassettePlan(Mode.REPLAY, OnMiss.RECORD))
    assert (made.mode, made.on_miss, made.cassettes) == (
        Mode.REPLAY,
        OnMiss.RECORD,
        ("/c/a.cassette",),
    )


def test_max_age_and_on_stale_change_when_given_and_off_turns_max_age_off() -> None:
    aged = ModeIn(max_age="30d", on_stale=OnStale.FAIL).to_config(CURRENT)
    assert (aged.max_age, aged.on_stale) == (30 * 86400, OnStale.FAIL)
    kept = ModeIn().to_config(aged)
    assert (kept.max_age, kept.on_stale) == (30 * 86400, OnStale.FAIL)
    assert ModeIn(max_age="off").to_config(aged).max_age is None
    with pytest.raises(ConfigError, match="max-age 'soon' is not a duration"):
        ModeIn(max_age="soon").to_config(CURRENT)
