"""The --max-age grammar and a recording's age (issue 17, item 7)."""

import pytest

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.store.staleness import (
    Stale,
    parse_duration,
    parse_max_age,
    recorded_time,
    show_age,
    show_duration,
    stale,
)

T0 = recorded_time("2026-12-01T00:00:00+00:00")
assert T0 is not None


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("15m", 900),
        ("12h", 43200),
        ("30d", 2592000),
        ("2w", 1209600),
        ("1.5h", 5400),
        ("45", 45),
        (" 30D ", 2592000),
        ("0s", 0),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["30x", "d", "-1d", "30 days", "1e400d", "1d2h"])
def test_a_bad_duration_names_itself(text: str) -> None:
    with pytest.raises(ConfigError, match=r"max-age .* (is not a duration like 90s, 15m|too)"):
        parse_duration(text)


def test_max_age_may_be_off() -> None:
    assert [parse_max_age(text) for text in ("", "off", "None")] == [None, None, None]
    assert parse_max_age("2w") == 1209600


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(2592000, "30d"), (1209600, "2w"), (43200, "12h"), (900, "15m"), (90, "90s"), (0, "0s")],
)
def test_a_duration_is_shown_in_its_largest_whole_unit(seconds: float, text: str) -> None:
    assert show_duration(seconds) == text
    assert parse_duration(text) == seconds
    assert show_duration(None) == ""


def test_recorded_at_reads_iso_times_and_nothing_else() -> None:
    assert recorded_time("2026-12-01T01:00:00+01:00") == T0
    assert recorded_time("2026-12-01T00:00:00Z") == T0
    assert recorded_time("2026-12-01T00:00:00") == T0  # no zone: UTC
    assert recorded_time("") is None
    assert recorded_time("yesterday") is None


def test_stale_only_past_the_max_age_and_only_when_dated() -> None:
    day = 86400.0
    assert stale("2026-12-01T00:00:00+00:00", 30 * day, T0 + 30 * day) is None
    found = stale("2026-12-01T00:00:00+00:00", 30 * day, T0 + 45 * day + 5)
    assert found == Stale("2026-12-01T00:00:00+00:00", 45 * day + 5, 30 * day)
    assert found.text == ("recorded 2026-12-01T00:00:00+00:00, 45 days ago, older than max-age 30d")
    assert stale("", 0, T0) is None
    assert stale("not a time", 0, T0) is None
    assert stale("2026-12-01T00:00:00+00:00", None, T0 + 1e9) is None


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(1, "1 second"), (59, "59 seconds"), (60, "1 minute"), (7200, "2 hours"), (86400, "1 day")],
)
def test_ages_read_as_words(seconds: float, text: str) -> None:
    assert show_age(seconds) == text
