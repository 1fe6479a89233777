"""Modes as data: what a session does with a request that no preset or recording answered."""

import math
from dataclasses import dataclass
from enum import StrEnum

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.matching.ignore import parse_ignore


class Mode(StrEnum):
    MOCK = "mock"
    """Presets answer; anything else gets the miss reply."""
    RECORD = "record"
    """Presets answer; anything else goes upstream and is appended to the cassette."""
    REPLAY = "replay"
    """Presets, then the cassettes answer; a miss follows `OnMiss`."""


class OnMiss(StrEnum):
    ERROR = "error"
    PASSTHROUGH = "passthrough"
    RECORD = "record"


class OnStale(StrEnum):
    """What replay does with a recording older than the session's max-age."""

    WARN = "warn"
    """Play it, and say so (history, the server log)."""
    FAIL = "fail"
    """Refuse it as a miss, saying how old it is."""
    RECORD = "record"
    """Send the request upstream and record it again in its place."""


class Repeat(StrEnum):
    """What equal requests get once their recorded answers are all played."""

    LAST = "last"
    NEVER = "never"


class MissAction(StrEnum):
    MISS = "miss"
    """Answer with the miss reply; nothing goes upstream."""
    FORWARD = "forward"
    """Go to the real upstream."""
    RECORD = "record"
    """Go to the real upstream and append the exchange to the recording cassette."""


def decide(mode: Mode, on_miss: OnMiss) -> MissAction:
    """What to do with a request that neither a preset nor a recording answered."""
    if mode is Mode.RECORD:
        return MissAction.RECORD
    if mode is Mode.REPLAY and on_miss is OnMiss.PASSTHROUGH:
        return MissAction.FORWARD
    if mode is Mode.REPLAY and on_miss is OnMiss.RECORD:
        return MissAction.RECORD
    return MissAction.MISS


def check_replay_speed(speed: float, what: str) -> None:
    """ConfigError unless `speed` is 0 (no waiting) or a positive factor of the recorded pace."""
    if not (speed >= 0 and math.isfinite(speed)):
        raise ConfigError(
            f"{what} {speed} is not a speed: give 0 (no waiting), 1 (as recorded), 2 (twice as "
            "fast) or any factor >= 0"
        )


def choice[E: StrEnum](kind: type[E], value: str, what: str) -> E:
    """`value` as a member of `kind`, or ConfigError naming `what` and the choices."""
    try:
        return kind(value.strip().lower())
    except ValueError:
        known = ", ".join(kind)
        raise ConfigError(f"{what} {value!r} is not one of {known}") from None


@dataclass(frozen=True, slots=True)
class ModeConfig:
    """A session's mode and cassettes (paths as given), and how replay matches and repeats."""

    mode: Mode = Mode.MOCK
    cassettes: tuple[str, ...] = ()
    on_miss: OnMiss = OnMiss.ERROR
    repeat: Repeat = Repeat.LAST
    match_on: tuple[str, ...] | None = None
    """The fields replay compares; None: not given, so the cassettes' own, else
    DEFAULT_MATCH_ON (see `matching_for`)."""
    replay_speed: float | None = None
    """How fast recorded streams play (see `check_replay_speed`); None: the server's
    --replay-speed."""
    ignore: tuple[str, ...] = ()
    """`--ignore` SPECs: parts of requests replay leaves out of matching (see ignore.py)."""
    max_age: float | None = None
    """Seconds after which a recording is stale (store/staleness.py); None: never."""
    on_stale: OnStale = OnStale.WARN

    def __post_init__(self) -> None:
        if self.max_age is not None and not (self.max_age >= 0 and math.isfinite(self.max_age)):
            raise ConfigError(f"max-age {self.max_age} must be a duration of 0 or more seconds")
        if self.replay_speed is not None:
            check_replay_speed(self.replay_speed, "replay_speed")
        parse_ignore(self.ignore)  # ConfigError naming a bad SPEC, before anything switches
        if self.mode is not Mode.MOCK and not self.cassettes:
            raise ConfigError(f"{self.mode} mode needs a cassette")
        if self.mode is Mode.RECORD and len(self.cassettes) > 1:
            raise ConfigError("record mode writes one cassette, not several")

    @property
    def replaying(self) -> tuple[str, ...]:
        """The cassettes answering requests."""
        return self.cassettes if self.mode is Mode.REPLAY else ()

    @property
    def rerecords(self) -> bool:
        """Stale recordings are recorded again from the upstream (--on-stale record)."""
        return (
            self.mode is Mode.REPLAY
            and self.max_age is not None
            and self.on_stale is OnStale.RECORD
        )

    @property
    def recording(self) -> str | None:
        """The cassette new exchanges (or re-recorded stale ones) are appended to, if any."""
        if decide(self.mode, self.on_miss) is MissAction.RECORD or self.rerecords:
            return self.cassettes[0]
        return None


class RecordMode(StrEnum):
    """VCR.py's record modes, for tests that name a cassette."""

    NONE = "none"
    """Replay only; a request nothing recorded is an error; the cassette must exist."""
    ONCE = "once"
    """Record when the cassette does not exist yet, else replay it and refuse new requests."""
    NEW_EPISODES = "new_episodes"
    """Replay what was recorded, record what was not."""
    ALL = "all"
    """Record everything anew, replay nothing."""


@dataclass(frozen=True, slots=True)
class CassettePlan:
    """How a session uses a cassette: its mode and on-miss, and whether to start it afresh."""

    mode: Mode
    on_miss: OnMiss = OnMiss.ERROR
    fresh: bool = False


def plan(record_mode: RecordMode, exists: bool) -> CassettePlan:
    """What a record mode means for a cassette that exists or not (VCR.py's semantics)."""
    if record_mode is RecordMode.ALL:
        return CassettePlan(Mode.RECORD, fresh=True)
    if not exists:
        if record_mode is RecordMode.NONE:
            raise ConfigError("the cassette does not exist, and record mode none never records")
        return CassettePlan(Mode.RECORD)
    if record_mode is RecordMode.NEW_EPISODES:
        return CassettePlan(Mode.REPLAY, OnMiss.RECORD)
    return CassettePlan(Mode.REPLAY)
