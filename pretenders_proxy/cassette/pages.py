"""One page of a cassette's exchanges, for listing a big cassette a screenful at a time.

Only the page's records are decoded; the others are skipped undecoded, so a 100,000-exchange
cassette is listed without holding it in memory. Reading only: io.py stays the only writer.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import IO

import msgpack

from pretenders_proxy.cassette import migrate
from pretenders_proxy.cassette.io import MAX_RECORD
from pretenders_proxy.cassette.record import from_record, version_of
from pretenders_proxy.errors import CassetteError
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
    """The file ends in an incomplete record (left out of `total`)."""


def page(path: Path, offset: int, limit: int) -> Page:
    """Up to `limit` exchanges after the first `offset`; CassetteError naming what is wrong."""
    if offset < 0 or not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"offset must be 0 or more and limit 1 to {MAX_LIMIT}")
    try:
        with path.open("rb") as stream:
            return _page(path, stream, offset, limit)
    except OSError as e:
        raise CassetteError(f"cannot read cassette {path}: {e.strerror or e}") from e


def _page(path: Path, stream: IO[bytes], offset: int, limit: int) -> Page:
    unpacker = msgpack.Unpacker(stream, raw=False, strict_map_key=True, max_buffer_size=MAX_RECORD)
    try:
        version = version_of(unpacker.unpack())
        migrate.check(version)
    except CassetteError as e:  # before ValueError, which it is
        raise CassetteError(f"{path} cannot be read (byte 0: {e})") from None
    except msgpack.OutOfData:
        raise CassetteError(f"{path} is not a pretenders cassette (byte 0: no header)") from None
    except (ValueError, TypeError, msgpack.UnpackException) as e:
        raise CassetteError(f"{path} is not a pretenders cassette (byte 0: {e})") from None
    exchanges: list[Exchange] = []
    total = 0
    while True:
        start = unpacker.tell()
        try:
            if offset <= total < offset + limit:
                exchanges.append(from_record(migrate.upgrade(unpacker.unpack(), version)))
            else:
                unpacker.skip()
        except msgpack.OutOfData:
            return Page(path, total, offset, tuple(exchanges), truncated=_has_more(stream, start))
        except (ValueError, TypeError, msgpack.UnpackException, CassetteError) as e:
            raise CassetteError(f"{path} is damaged (byte {start}: {e})") from None
        total += 1


def _has_more(stream: IO[bytes], end: int) -> bool:
    """Whether the file goes on past the last complete record (an incomplete tail)."""
    return stream.seek(0, 2) > end
