"""Reading what replay indexes from a cassette: each item's offset, length, request and
response status. Quickly for a cassette as pretenders writes it; item by item, with every
check naming what is wrong and where, for anything else.
"""

from dataclasses import dataclass, fields
from itertools import chain
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import IO, Any

import msgpack

from pretenders_proxy.cassette import migrate
from pretenders_proxy.cassette.codec import (
    FORMAT,
    VERSION,
    Item,
    Matching,
    matching_of,
    request_from_item,
    response_from_item,
)
from pretenders_proxy.cassette.reading import MAX_ITEM, TRUNCATED, open_items, unpacker_of
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.http import Request


@dataclass(frozen=True, slots=True)
class Found:
    """A cassette's index as plain columns (what the index cache keeps): each complete item's
    offset, length and response status, and its request's `fields` (one list per field of
    Request, in its order); `truncated_at`: where an incomplete last item starts; `matching`:
    the ignore SPECs and match_on fields its header stores (codec.matching_of)."""

    version: int
    truncated_at: int | None
    offsets: list[int]
    lengths: list[int]
    statuses: list[int]
    fields: list[list[Any]]
    matching: Matching = ((), None)


REQUEST_FIELDS = tuple(field.name for field in fields(Request))
_KINDS: dict[str, type] = {
    "method": str,
    "path": bytes,
    "query": bytes,
    "headers": tuple,
    "body": bytes,
    "scheme": str,
    "host": str,
    "port": int,
    "http_version": str,
}
"""The exact type of each request field in an item `_quick` takes (anything else: `_checked`)."""
_REQUEST_KINDS = tuple(_KINDS[name] for name in REQUEST_FIELDS)
_fields_of = itemgetter(*REQUEST_FIELDS)
_ITEM_KEYS = frozenset({"request", "response", "meta", "websocket"})
_RESPONSE_KEYS = frozenset(
    {"status", "reason", "http_version", "headers", "body", "trailers", "chunks", "cut"}
)
_QUICK_VERSIONS = frozenset({1, VERSION})
"""Versions whose items need no change to be read as the current version's (migrate.py)."""


def scan(path: Path, stream: IO[bytes], size: int) -> Found:
    """The index of the cassette `stream` (at `path`, `size` bytes long); CassetteError naming
    the file and byte when it is no cassette or damaged (a cut last item is left out)."""
    found = _quick(stream, size)
    if found is None:  # not the usual cassette: the checks say what is wrong with it
        stream.seek(0)
        found = _checked(path, stream, size)
    return found


def _quick(stream: IO[bytes], size: int) -> Found | None:
    """The index of a cassette as pretenders writes it, or None for anything else (an older
    version, an unknown key, a wrong type, damage): `_checked` then says what is wrong.

    Only each item's request and response status are decoded; its other parts are skipped
    (they are checked when played). The types are checked over whole columns at once.
    """
    unpacker = msgpack.Unpacker(
        stream,
        raw=False,
        strict_map_key=True,
        max_buffer_size=MAX_ITEM,
        read_size=1 << 20,
        use_list=False,  # headers come as tuples of tuples, as Request holds them
    )
    unpack, skip, map_header = unpacker.unpack, unpacker.skip, unpacker.read_map_header
    offsets: list[int] = []
    lengths: list[int] = []
    statuses: list[Any] = []
    requests: list[Any] = []
    truncated_at = None
    try:
        head = unpack()
        if type(head) is not dict or head.get("format") != FORMAT:
            return None
        version = head.get("version")
        if type(version) is not int or version not in _QUICK_VERSIONS:
            return None
        matching = matching_of(head)
        start = unpacker.tell()
        while start < size:
            request = status = None
            try:
                for _ in range(map_header()):
                    key = unpack()
                    if key == "request":
                        request = unpack()
                    elif key == "response":
                        for _ in range(map_header()):
                            part = unpack()
                            if part == "status":
                                status = unpack()
                            elif part in _RESPONSE_KEYS:
                                skip()
                            else:
                                return None
                    elif key in _ITEM_KEYS:
                        skip()
                    else:
                        return None
            except msgpack.OutOfData:
                truncated_at = start
                break
            end = unpacker.tell()
            offsets.append(start)
            lengths.append(end - start)
            statuses.append(status)
            requests.append(request)
            start = end
        columns = _columns(list(map(_fields_of, requests)))
    except (ValueError, TypeError, KeyError, msgpack.UnpackException, CassetteError):
        return None
    if not _usual(statuses, columns):
        return None
    return Found(version, truncated_at, offsets, lengths, statuses, columns, matching)


def _usual(statuses: list[Any], columns: list[list[Any]]) -> bool:
    """Whether every status and request field has its exact type, headers pairs of bytes."""
    if not set(map(type, statuses)) <= {int}:
        return False
    for column, kind in zip(columns, _REQUEST_KINDS, strict=True):
        if not set(map(type, column)) <= {kind}:
            return False
    pairs = list(chain.from_iterable(columns[REQUEST_FIELDS.index("headers")]))
    return (
        set(map(type, pairs)) <= {tuple}
        and set(map(len, pairs)) <= {2}
        and set(map(type, chain.from_iterable(pairs))) <= {bytes}
    )


def _checked(path: Path, stream: IO[bytes], size: int) -> Found:
    """The index made with every item checked: CassetteError naming what is wrong, where."""
    head, version, items = open_items(path, unpacker_of(stream), size)
    try:
        matching = matching_of(head)
    except CassetteError as e:
        raise CassetteError(f"{path}: {e}") from None
    offsets: list[int] = []
    lengths: list[int] = []
    statuses: list[int] = []
    requests: list[Request] = []
    truncated_at = None
    upgrade = migrate.upgrade
    for offset, end, item in items:
        if item is TRUNCATED:
            truncated_at = offset
            break
        try:
            current = upgrade(item, version)
            request = request_from_item(current)
            status = _status(current)
        except CassetteError as e:
            raise CassetteError(f"{path} is damaged (byte {offset}: {e})") from None
        offsets.append(offset)
        lengths.append(end - offset)
        statuses.append(status)
        requests.append(request)
    columns = _columns(list(map(attrgetter(*REQUEST_FIELDS), requests)))
    return Found(version, truncated_at, offsets, lengths, statuses, columns, matching)


def _columns(rows: list[tuple[Any, ...]]) -> list[list[Any]]:
    """One list per field of Request, from one tuple of them per request."""
    return [list(column) for column in zip(*rows, strict=True)] or [[] for _ in REQUEST_FIELDS]


def _status(item: Item) -> int:
    """The response status; the rest of the response is checked when it is played."""
    response = item.get("response")
    status = response.get("status") if isinstance(response, dict) else None
    if isinstance(status, int) and not isinstance(status, bool):
        return status
    return response_from_item(item).status  # raises, naming what is wrong
