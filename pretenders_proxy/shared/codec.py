"""What a shared store keeps in Redis, as bytes: history entries, mail, presets and modes in
msgpack, each object as its type's name and its fields. Only the types named here are read back
(never pickle: a Redis that other fleets share is not trusted to name code to run)."""

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from enum import Enum
from typing import Any, NamedTuple

import msgpack

from pretenders_proxy.matching.modes import Mode, ModeConfig, OnMiss, OnStale, Repeat
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.model.journal import Entry, Heard, Shape, Source, Talk, TrafficProtocol
from pretenders_proxy.model.mail import Envelope, Headline, Mail
from pretenders_proxy.model.preset import Fault, Preset, Reply, Rule, WsReply, WsScript
from pretenders_proxy.model.smtp_preset import Action, SmtpPreset, Stage

_TYPES: dict[str, type] = {
    t.__name__: t
    for t in (
        Entry, Heard, Talk, Request, Response, Mail, Envelope, Headline, Preset, Rule, Reply,
        WsReply, WsScript, SmtpPreset, ModeConfig,
    )
}  # fmt: skip
_ENUMS: dict[str, type[Enum]] = {
    t.__name__: t
    for t in (Source, TrafficProtocol, Fault, Stage, Action, Mode, OnMiss, OnStale, Repeat)
}


class WireError(ValueError):
    """Bytes in the store that are not something pretenders wrote."""


class Ref(NamedTuple):
    """A response a history entry names by its digest instead of carrying it: a preset's reply,
    kept once in the session's replies (shared/scripts.py APPEND) and read back with the
    entries that name it (`resolved`)."""

    digest: str


type Definition = tuple[str, bytes]
"""A reply entries name: its digest and its packed response."""


_INIT = {
    name: [f.name for f in dataclasses.fields(kind) if f.init]
    for name, kind in _TYPES.items()
    if dataclasses.is_dataclass(kind)
}
"""Each dataclass's init fields, by type name: what it is made again from."""


def _fields(value: object) -> list[Any]:
    """The values a type is made again from: a NamedTuple's, or a dataclass's init fields."""
    if isinstance(value, tuple):
        return list(value)
    names = _INIT[type(value).__name__]
    fields = [getattr(value, name) for name in names]
    if isinstance(value, Rule):  # any JSON: kept as JSON text, so lists stay lists
        fields[names.index("json")] = json.dumps(value.json)
    elif isinstance(value, Reply) and value.chunks:  # the body is the chunks' join: once
        fields[names.index("body")] = b""
    return fields


def _default(value: object) -> object:
    """`value` as what msgpack packs natively: an object as a map with whole-number keys (the
    type's name at 0, its fields at 1; an enum's value at 2), which no map of user data has:
    those come from JSON, keyed by text."""
    if type(value) is tuple:  # strict types: only NamedTuples (and enums) are more than that
        return list(value)
    if isinstance(value, Enum):
        return {0: type(value).__name__, 2: value.value}
    name = type(value).__name__
    if _TYPES.get(name) is type(value):
        return {0: name, 1: _fields(value)}
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"pretenders cannot keep a {name} in a shared store")


def _object(found: dict[Any, Any]) -> object:
    if 0 not in found:  # user data
        return found
    name = found[0]
    if name == "Ref" and isinstance(found.get(1), str):
        return Ref(found[1])
    if 2 in found and name in _ENUMS:
        return _ENUMS[name](found[2])
    kind = _TYPES.get(name)
    if kind is None or 1 not in found:
        raise WireError(f"unknown object {name!r} in the store")
    fields = found[1]
    if kind is Rule:
        values = dict(zip(_INIT["Rule"], fields, strict=True))
        values["json"] = json.loads(values["json"])
        return Rule(**values)
    return kind(*fields)


_PACKER = msgpack.Packer(default=_default, use_bin_type=True, strict_types=True)
"""Kept: `msgpack.packb` makes a Packer (and its buffer) per call, a third of a history entry's
packing on the /mockhttp/ hot path. A Packer that raised starts afresh on its next call."""


def dumps(value: object) -> bytes:
    packed: bytes = _PACKER.pack(value)
    return packed


_SHARED: dict[int, tuple[object, bytes]] = {}
"""Packed forms of objects many history entries share, by identity (the object kept alive
here): a preset's Response, the fast lane's one Request per distinct head, enum members. Only
small ones (at most _SHARED_KEPT, each packed in _SHARED_MOST bytes): nothing big outlives
history."""
_SHARED_KEPT, _SHARED_MOST = 1024, 4096
_ENTRY = b"\x82" + b"".join(map(dumps, (0, "Entry", 1))) + b"\x9f"
"""{0: "Entry", 1: [15 fields...]}: what dumps writes before an Entry's fields."""


def dumps_entry(entry: Entry) -> bytes:
    """dumps(entry), byte for byte, with its request, response and enum members packed once
    per object (shared by many entries): walking them in Python for every request was most of
    an entry's packing. The fields between them are packed a run at a time, as a list less its
    one-byte header (fixarray: fewer than 16 items)."""
    (id_, session, at, request, source, response, took, preset, miss, error, size, protocol,
     request_size, websocket, stale) = entry  # fmt: skip
    return b"".join((
        _ENTRY, dumps([id_, session, at])[1:], _shared(request), _shared(source),
        _shared(response), dumps([took, preset, miss, error, size])[1:], _shared(protocol),
        dumps([request_size, websocket, stale])[1:],
    ))  # fmt: skip


_SHAPED: dict[int, tuple[Shape, bytes, bytes, Definition | None]] = {}
"""The packed parts of a Shape's entries that are the same in each (all but the id, session,
time and duration), and the reply they name, by identity (the shape kept alive here); at most
_SHARED_KEPT shapes, each kept only if its parts pack in at most _SHAPED_MOST bytes."""
_SHAPED_MOST = 2 * _SHARED_MOST
_NAMED_LEAST = 128
"""A response packed in fewer bytes is carried: a digest would not be much smaller."""


def dumps_shaped(
    shape: Shape, entry_id: int, session: str, at: float, duration_ms: float
) -> tuple[bytes, Definition | None]:
    """dumps(shape.entry(entry_id, session, at, duration_ms)) with no Entry made (what every
    entry of the shape shares is packed once), a preset's response named by a `Ref` when it
    packs in _NAMED_LEAST bytes or more; and then the reply named, to keep once (None:
    carried)."""
    found = _SHAPED.get(id(shape))
    if found is None or found[0] is not shape:
        like = shape.like
        response, named = _shared(like.response), None
        # A preset's reply is named (one per preset: kept until history is cleared); a
        # recording's is carried, or a long cassette would fill Redis past history's bounds.
        if like.source is Source.PRESET and len(response) >= _NAMED_LEAST:
            named = (hashlib.blake2b(response, digest_size=16).hexdigest(), response)
            response = dumps({0: "Ref", 1: named[0]})
        found = (
            shape,
            _shared(like.request) + _shared(like.source) + response,
            dumps([like.preset_id, like.miss, like.error, like.response_size])[1:]
            + _shared(like.protocol)
            + dumps([like.request_size, None, like.stale])[1:],
            named,
        )
        if len(found[1]) + len(found[2]) + len(named[1] if named else b"") <= _SHAPED_MOST:
            if len(_SHAPED) >= _SHARED_KEPT:
                _SHAPED.clear()
            _SHAPED[id(shape)] = found
    _, middle, tail, named = found
    head = dumps([entry_id, session, at])[1:]
    return b"".join((_ENTRY, head, middle, dumps(duration_ms), tail)), named


_RESOLVED: dict[str, Response] = {}
"""Replies read back, by digest (what a digest names never changes): one Response object for
every entry naming it, as the memory store keeps; at most _SHARED_KEPT."""


def resolved(entry: Entry, replies: Mapping[bytes, bytes]) -> Entry:
    """`entry` with the response its `Ref` names (from `replies`, digest to packed response,
    read with it); WireError when the store did not give it."""
    ref = entry.response
    if not isinstance(ref, Ref):
        return entry
    response = _RESOLVED.get(ref.digest)
    if response is None:
        packed = replies.get(ref.digest.encode())
        if packed is None:
            raise WireError(f"a history entry names a reply the store does not have: {ref.digest}")
        response = loads(packed)
        if not isinstance(response, Response):
            raise WireError(f"the reply {ref.digest} in the store is not a response")
        if len(_RESOLVED) >= _SHARED_KEPT:
            _RESOLVED.clear()
        _RESOLVED[ref.digest] = response
    return entry._replace(response=response)


def _shared(value: object) -> bytes:
    found = _SHARED.get(id(value))
    if found is None or found[0] is not value:
        found = (value, dumps(value))
        if len(found[1]) <= _SHARED_MOST:
            if len(_SHARED) >= _SHARED_KEPT:
                _SHARED.clear()
            _SHARED[id(value)] = found
    return found[1]


def loads(data: bytes) -> Any:
    """What `dumps` wrote; WireError for anything else."""
    try:
        return msgpack.unpackb(data, object_hook=_object, use_list=False, strict_map_key=False)
    except WireError:
        raise
    except (ValueError, TypeError, KeyError, msgpack.UnpackException) as e:
        raise WireError(f"unreadable object in the store: {e}") from e
