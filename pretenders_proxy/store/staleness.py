"""Stale recordings (issue 17, item 7): the `--max-age` grammar (90s, 15m, 12h, 30d, 2w), an
exchange's age from its `meta.recorded_at`, and what replay says of one recorded too long ago."""

import math
import re
from datetime import UTC, datetime
from typing import NamedTuple

from pretenders_proxy.errors import ConfigError

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw]?)")
OFF = ("", "none", "off")
"""What says "no --max-age" (every recording is fresh)."""


def parse_duration(text: str, what: str = "max-age") -> float:
    """ "30d" -> 2592000.0: a number with s, m, h, d or w (seconds without one); ConfigError
    naming `what` and the text otherwise."""
    found = _DURATION.fullmatch(text.strip().lower())
    if found is None:
        raise ConfigError(f"{what} {text!r} is not a duration like 90s, 15m, 12h, 30d or 2w")
    number, unit = found.groups()
    seconds = float(number) * UNITS[unit or "s"]
    if not math.isfinite(seconds):
        raise ConfigError(f"{what} {text!r} is too long")
    return seconds


def parse_max_age(text: str) -> float | None:
    """--max-age: a duration, or None for "", none or off."""
    return None if text.strip().lower() in OFF else parse_duration(text)


def show_duration(seconds: float | None) -> str:
    """2592000 -> "30d": the largest unit that writes `seconds` whole ("" for None)."""
    if seconds is None:
        return ""
    for unit in "wdhm":
        if seconds and (seconds / UNITS[unit]).is_integer():
            return f"{int(seconds // UNITS[unit])}{unit}"
    return f"{seconds:g}s"


def recorded_time(recorded_at: str) -> float | None:
    """The POSIX time of an ISO `recorded_at` (UTC when it names no zone); None when it is
    missing or not a time: such a recording is never stale."""
    if not recorded_at:
        return None
    try:
        when = datetime.fromisoformat(recorded_at)
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def show_age(seconds: float) -> str:
    """How long ago, in the largest whole unit: "45 days", "3 hours", "1 minute"."""
    for name, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {name}{'' if count == 1 else 's'}"
    count = max(0, int(seconds))
    return f"{count} second{'' if count == 1 else 's'}"


class Stale(NamedTuple):
    """A recording older than the session's max-age: when it was recorded and how old it is."""

    recorded_at: str
    age: float
    max_age: float

    @property
    def text(self) -> str:
        """ "recorded 2026-10-01T00:00:00+00:00, 67 days ago, older than max-age 30d" """
        return (
            f"recorded {self.recorded_at}, {show_age(self.age)} ago, older than max-age "
            f"{show_duration(self.max_age)}"
        )


def stale(recorded_at: str, max_age: float | None, now: float) -> Stale | None:
    """Whether a recording made at `recorded_at` is older than `max_age` seconds at `now`."""
    if max_age is None:
        return None
    when = recorded_time(recorded_at)
    if when is None or now - when <= max_age:
        return None
    return Stale(recorded_at, now - when, max_age)
