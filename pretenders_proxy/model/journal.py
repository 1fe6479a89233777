"""What a session saw: one entry per request, with where its answer came from."""

from dataclasses import dataclass
from enum import StrEnum

from pretenders_proxy.model.http import Request, Response


class Source(StrEnum):
    """Where the answer to a request came from."""

    PRESET = "preset"
    CASSETTE = "cassette"
    UPSTREAM = "upstream"
    MISS = "miss"


@dataclass(frozen=True, slots=True)
class Entry:
    """One request a session received and what it was answered with.

    `response` is None when no HTTP response went out (a fault preset, an upstream failure);
    `error` then says what happened. `miss` is the near-miss explanation of a miss.
    """

    id: int
    session: str
    time: float
    request: Request
    source: Source
    response: Response | None = None
    duration_ms: float = 0.0
    preset_id: int | None = None
    miss: str | None = None
    error: str | None = None

    @property
    def status(self) -> int | None:
        return self.response.status if self.response is not None else None
