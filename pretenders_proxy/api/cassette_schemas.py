"""Request and response bodies of the mode and cassette API, as pydantic models."""

from pydantic import BaseModel, ConfigDict, Field

from pretenders_proxy.errors import BadRequestError
from pretenders_proxy.matching.fields import parse_match_on
from pretenders_proxy.matching.modes import (
    CassettePlan,
    Mode,
    ModeConfig,
    OnMiss,
    OnStale,
    RecordMode,
    Repeat,
)
from pretenders_proxy.store.staleness import parse_max_age


class ModeIn(BaseModel):
    """`PUT /api/v1/mode`: fields left out keep the session's current value."""

    model_config = ConfigDict(extra="forbid")
    mode: Mode | None = Field(None, description="mock, record or replay.")
    cassettes: list[str] | None = Field(
        None, description="Cassette paths on the server: the one to record to, or those to replay."
    )
    on_miss: OnMiss | None = Field(None, description="In replay: error, passthrough or record.")
    repeat: Repeat | None = Field(
        None, description="Once equal requests are all played: last, never."
    )
    match_on: list[str] | None = Field(
        None,
        description="Fields replay compares: method, scheme, host, port, path, query, body, "
        "header:<Name> (never given: the cassettes' own, from their headers, else all but "
        "headers).",
    )
    replay_speed: float | None = Field(
        None,
        ge=0,
        allow_inf_nan=False,
        description="How fast recorded streams play in this session: 0 sends every piece at "
        "once, 1 keeps the recorded gaps, 2 plays twice as fast (default: --replay-speed).",
    )
    ignore: list[str] | None = Field(
        None,
        description="Parts of requests replay leaves out of matching in this session, as "
        "--ignore takes them: json:$.meta.timestamp, header:X-Request-Id, query:_ts, form:csrf "
        "(default: the server's --ignore); those the cassettes' headers store apply too.",
    )
    max_age: str | None = Field(
        None,
        max_length=64,
        description="A recording older than this (its recorded_at) is stale when replayed in "
        "this session: 90s, 15m, 12h, 30d, 2w; off (or an empty string) for none (default: "
        "--max-age). Recordings without recorded_at are never stale.",
    )
    on_stale: OnStale | None = Field(
        None,
        description="A stale recording matched: play it and note it (warn), refuse it as a miss "
        "(fail), or record it again from the upstream to the first cassette (record).",
    )
    record_mode: RecordMode | None = Field(
        None,
        description="Instead of mode and on_miss, VCR.py's record mode for the one cassette in "
        "`cassettes`: none, once, new_episodes or all. The server decides from it and from "
        "whether the file exists, starts the cassette afresh for all and makes its folders.",
    )

    def record_cassette(self) -> tuple[str, RecordMode] | None:
        """The record mode and the one cassette it applies to (None without a record mode);
        BadRequestError when mode or on_miss come with it, or not exactly one cassette."""
        if self.record_mode is None:
            return None
        if given := [name for name in ("mode", "on_miss") if getattr(self, name) is not None]:
            raise BadRequestError(
                f"record_mode decides mode and on_miss itself: give record_mode or "
                f"{' and '.join(given)}, not both"
            )
        if self.cassettes is None or len(self.cassettes) != 1:
            raise BadRequestError("record_mode needs the one cassette it applies to in cassettes")
        return self.cassettes[0], self.record_mode

    def to_config(self, current: ModeConfig, planned: CassettePlan | None = None) -> ModeConfig:
        """The new configuration (mode and on-miss from `planned` if given); ConfigError naming
        what cannot work."""
        return ModeConfig(
            mode=planned.mode if planned else self.mode or current.mode,
            cassettes=current.cassettes if self.cassettes is None else tuple(self.cassettes),
            on_miss=planned.on_miss if planned else self.on_miss or current.on_miss,
            repeat=self.repeat or current.repeat,
            match_on=current.match_on if self.match_on is None else parse_match_on(self.match_on),
            replay_speed=current.replay_speed if self.replay_speed is None else self.replay_speed,
            ignore=current.ignore if self.ignore is None else tuple(self.ignore),
            max_age=current.max_age if self.max_age is None else parse_max_age(self.max_age),
            on_stale=self.on_stale or current.on_stale,
        )


class ModeOut(BaseModel):
    session: str
    mode: Mode
    cassettes: list[str]
    on_miss: OnMiss
    repeat: Repeat
    match_on: list[str] = Field(
        description="The fields replay compares: the session's, else its cassettes' own "
        "(their headers' match_on), else the default."
    )
    replay_speed: float = Field(
        description="How fast recorded streams play: the session's own, else --replay-speed."
    )
    ignore: list[str] = Field(
        description="Parts of requests replay leaves out of matching: the session's, then "
        "those its cassettes' headers store."
    )
    max_age: str | None = Field(
        description="How old a replayed recording may be before it is stale (null: any age)."
    )
    on_stale: OnStale = Field(description="What replay does with a stale recording.")
    recordings: int = Field(description="Exchanges loaded from the cassettes for replay.")
    recording_to: str | None = Field(description="The cassette new exchanges are appended to.")
    recording_error: str | None = Field(
        description="Why the last exchange could not be appended to it (until one is)."
    )
    warnings: list[str] = Field(description="What loading the cassettes had to say.")


class CassetteOut(BaseModel):
    session: str
    path: str = Field(description="The cassette as the session names it (a path on the server).")
    replaying: bool = Field(description="Its recordings answer the session's requests.")
    recording: bool = Field(description="New exchanges are appended to it.")
    exchanges_url: str = Field(description="Where to list its exchanges, a page at a time.")


class CassetteExchangeOut(BaseModel):
    position: int = Field(description="Where it is in the cassette, from 1.")
    method: str
    url: str
    status: int
    recorded_at: str
    duration_ms: float
    request_headers: list[list[str]]
    request_body: str | None = Field(
        description="The first 4 KiB (gzip/deflate undone), as UTF-8 (None if not)."
    )
    request_size: int
    response_headers: list[list[str]]
    response_body: str | None = Field(
        description="The first 4 KiB (gzip/deflate undone), as UTF-8 (None if not)."
    )
    response_size: int = Field(description="Bytes stored (still content-encoded).")
    response_encoding: str | None = Field(description="Its Content-Encoding, if any.")


class CassettePageOut(BaseModel):
    session: str
    cassette: str
    total: int = Field(description="Complete exchanges in the cassette.")
    offset: int
    limit: int
    truncated: bool = Field(description="The file ends in an incomplete record (not counted).")
    exchanges: list[CassetteExchangeOut]
    next: str | None = Field(description="The next page, or None after the last.")
