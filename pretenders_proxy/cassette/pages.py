"""One page of a cassette's exchanges, for listing a big cassette a screenful at a time.

What a page is and which pages may be asked for; reading.page reads one, leaving the items outside
it undecoded, so a 100,000-exchange cassette is listed without holding it in memory.
"""

from dataclasses import dataclass
from pathlib import Path

from pretenders_proxy.model.exchange import Exchange

MAX_LIMIT = 500
"""The most exchanges one page holds."""


@dataclass(frozen=True, slots=True)
class Page:
    """Exchanges `offset`+1 to `offset`+len(exchanges) (positions from 1) of `total`."""

    path: Path
    total: int
    offset: int
    exchanges: tuple[Exchange, ...]
    truncated: bool = False
    """The file ends in an incomplete item (left out of `total`)."""


def check(offset: int, limit: int) -> None:
    """ValueError unless `offset` is 0 or more and `limit` 1 to MAX_LIMIT."""
    if offset < 0 or not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"offset must be 0 or more and limit 1 to {MAX_LIMIT}")
