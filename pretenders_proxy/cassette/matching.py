"""A cassette's own matching (its header's `ignore` SPECs and `match_on` fields): merged with a
session's when replayed, and changed in place by `pretenders cassette ignore`."""

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import msgpack

from pretenders_proxy.cassette import regular
from pretenders_proxy.cassette.codec import MATCHING_KEYS, Item, Matching, matching_of, version_of
from pretenders_proxy.cassette.reading import MAX_ITEM
from pretenders_proxy.cassette.writing import pack, replacing
from pretenders_proxy.errors import CassetteError, ConfigError
from pretenders_proxy.matching.fields import DEFAULT_MATCH_ON, parse_match_on
from pretenders_proxy.matching.ignore import Ignore, parse_ignore, parse_spec


def merged(
    match_on: tuple[str, ...] | None,
    ignore: Sequence[str],
    cassettes: Sequence[tuple[str, Matching]],
) -> tuple[tuple[str, ...], Ignore]:
    """The fields and Ignore of a session replaying `cassettes` (path, header matching):
    ignore is the session's SPECs and then every cassette's; match_on the session's when given,
    else the one the cassettes store (CassetteError when two store different ones), else the
    default. CassetteError naming the file and the SPEC or field when a header's is bad."""
    specs = list(ignore)
    stored: tuple[str, tuple[str, ...]] | None = None
    for path, (their_ignore, their_match_on) in cassettes:
        specs += checked_specs(path, their_ignore)
        if their_match_on is None:
            continue
        fields = checked_fields(path, their_match_on)
        if match_on is not None:
            continue  # the session's own is used
        if stored is not None and set(stored[1]) != set(fields):
            raise CassetteError(
                f"cassettes {stored[0]} and {path} store different match_on "
                f"({','.join(stored[1])} vs {','.join(fields)}): give the session's match-on "
                "to choose, or make their headers agree (pretenders cassette ignore --match-on)"
            )
        stored = stored or (path, fields)
    chosen = match_on or (stored[1] if stored else DEFAULT_MATCH_ON)
    return chosen, parse_ignore(specs)


def checked_specs(path: str | Path, specs: Iterable[str]) -> list[str]:
    """`specs` of the cassette at `path`, each checked; CassetteError naming file and SPEC."""
    found = []
    for spec in specs:
        try:
            parse_spec(spec.strip())
        except ConfigError as e:
            raise CassetteError(f"cassette {path}: its header's {e}") from None
        found.append(spec.strip())
    return found


def checked_fields(path: str | Path, fields: Iterable[str]) -> tuple[str, ...]:
    try:
        return parse_match_on(fields)
    except ConfigError as e:
        raise CassetteError(f"cassette {path}: its header's {e}") from None


def head_of(path: Path) -> Item:
    """The header of the cassette at `path`; CassetteError when it has none."""
    head, _ = _head_and_end(path)
    return head


def matching_keys(head: Item) -> dict[str, Any]:
    """The matching keys `head` holds, to carry into another header."""
    return {key: head[key] for key in MATCHING_KEYS if head.get(key) is not None}


def stored(path: Path) -> Matching:
    """The ignore SPECs and match_on fields the header of `path` stores."""
    try:
        return matching_of(head_of(path))
    except CassetteError as e:
        raise CassetteError(f"{path}: {e}") from None


def store(path: Path, ignore: Sequence[str], match_on: Sequence[str] | None) -> None:
    """Write `ignore` and `match_on` (None or empty: none) into the header of `path`, replacing
    the file in one step; the exchanges are copied byte for byte after it."""
    head, end = _head_and_end(path)
    head = {k: v for k, v in head.items() if k not in MATCHING_KEYS}
    if ignore:
        head["ignore"] = list(ignore)
    if match_on:
        head["match_on"] = list(match_on)
    try:
        with regular.open_read(path) as source, replacing(path) as target:
            target.write(pack(head))
            source.seek(end)
            while chunk := source.read(1 << 20):
                target.write(chunk)
    except OSError as e:
        raise CassetteError(f"cannot rewrite cassette {path}: {e.strerror or e}") from e


def _head_and_end(path: Path) -> tuple[Item, int]:
    """The header of `path` and the byte where the first exchange starts."""
    try:
        with regular.open_read(path) as stream:
            unpacker = msgpack.Unpacker(
                stream, raw=False, strict_map_key=True, max_buffer_size=MAX_ITEM
            )
            head = unpacker.unpack()
            end = unpacker.tell()
    except OSError as e:
        raise CassetteError(f"cannot read cassette {path}: {e.strerror or e}") from e
    except (ValueError, TypeError, msgpack.UnpackException) as e:
        raise CassetteError(f"{path}: not a pretenders cassette ({e})") from None
    try:
        version_of(head)
    except CassetteError as e:
        raise CassetteError(f"{path}: {e}") from None
    return head, end
