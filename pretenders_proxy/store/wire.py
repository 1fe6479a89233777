"""What a shared store keeps in Redis, as bytes: history entries, mail, presets and modes in
msgpack, each object as its type's name and its fields. Only the types named here are read back
(never pickle: a Redis that other fleets share is not trusted to name code to run)."""

import dataclasses
import json
from enum import Enum
from typing import Any

import msgpack

from pretenders_proxy.matching.modes import Mode, ModeConfig, OnMiss, OnStale, Repeat
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.model.journal import Entry, Heard, Source, Talk, TrafficProtocol
from pretenders_proxy.model.mail import Envelope, Headline, Mail
from pretenders_proxy.model.preset import Fault, Preset, Reply, Rule, WsReply, WsScript
from pretenders_proxy.model.smtp_preset import Action, SmtpPreset, Stage

OBJECT, ENUM = 1, 2
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


def _fields(value: object) -> list[Any]:
    """The values a type is made again from: a NamedTuple's, or a dataclass's init fields."""
    if isinstance(value, tuple):
        return list(value)
    names = [f.name for f in dataclasses.fields(value) if f.init]  # type: ignore[arg-type]
    fields = [getattr(value, name) for name in names]
    if isinstance(value, Rule):  # any JSON: kept as JSON text, so lists stay lists
        fields[names.index("json")] = json.dumps(value.json)
    elif isinstance(value, Reply) and value.chunks:  # the body is the chunks' join: once
        fields[names.index("body")] = b""
    return fields


def _default(value: object) -> object:
    if type(value) is tuple:  # strict types: only NamedTuples (and enums) are more than that
        return list(value)
    if isinstance(value, Enum):
        return msgpack.ExtType(ENUM, _pack([type(value).__name__, value.value]))
    name = type(value).__name__
    if _TYPES.get(name) is type(value):
        return msgpack.ExtType(OBJECT, _pack([name, _fields(value)]))
    raise TypeError(f"pretenders cannot keep a {name} in a shared store")


def _ext(code: int, data: bytes) -> object:
    name, fields = msgpack.unpackb(data, ext_hook=_ext, use_list=False)
    if code == ENUM and name in _ENUMS:
        return _ENUMS[name](fields)
    kind = _TYPES.get(name) if code == OBJECT else None
    if kind is None:
        raise WireError(f"unknown object {name!r} in the store")
    if kind is Rule:
        names = [f.name for f in dataclasses.fields(Rule) if f.init]
        values = dict(zip(names, fields, strict=True))
        values["json"] = json.loads(values["json"])
        return Rule(**values)
    return kind(*fields)


_PACKERS: list[msgpack.Packer] = []
"""Packers to use again: `msgpack.packb` makes one per call, and each allocates 256 KiB (45 us
for a Request, against 8 with one kept). A nested object (packed from `_default`, while its
parent's packer is busy) takes another; a packer that raised has emptied its buffer."""


def _pack(value: object) -> bytes:
    packer = _PACKERS.pop() if _PACKERS else _packer()
    try:
        packed: bytes = packer.pack(value)
        return packed
    finally:
        _PACKERS.append(packer)


def _packer() -> msgpack.Packer:
    return msgpack.Packer(default=_default, use_bin_type=True, strict_types=True, buf_size=4096)


dumps = _pack


def loads(data: bytes) -> Any:
    """What `dumps` wrote; WireError for anything else."""
    try:
        return msgpack.unpackb(data, ext_hook=_ext, use_list=False, strict_map_key=False)
    except WireError:
        raise
    except (ValueError, TypeError, KeyError, msgpack.UnpackException) as e:
        raise WireError(f"unreadable object in the store: {e}") from e
