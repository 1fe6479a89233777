"""Request bodies as replay compares them: JSON parsed (key order, whitespace and 1 vs 1.0 do not
matter), urlencoded forms as fields, anything else byte for byte; each made a short key."""

import hashlib
import json
from collections.abc import Callable
from enum import Enum
from typing import Any
from urllib.parse import unquote_to_bytes

from pretenders_proxy.matching.ignore import NOTHING, Ignore
from pretenders_proxy.matching.subject import INVALID, decode_content
from pretenders_proxy.model.http import Headers, Request
from pretenders_proxy.model.jsonpath import prune

type Pairs = tuple[tuple[bytes, bytes], ...]
FORM_TYPE = b"application/x-www-form-urlencoded"
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"))
"""One encoding of a document: members by name, no spaces, strings ASCII with escapes (so
a lone surrogate encodes too). Made once: json.dumps with options makes one per call."""


class Kind(Enum):
    BYTES = "bytes"
    JSON = "json"
    FORM = "form"


def body_kind(headers: Headers) -> tuple[Kind, str | None]:
    """What the Content-Type says the body is (`application/json`, `*+json`, urlencoded form),
    and its Content-Encoding."""
    media, encoding = b"", None
    for name, value in headers:
        lower = name.lower()
        if lower == b"content-type":
            media = value.partition(b";")[0].strip().lower()
        elif lower == b"content-encoding":
            encoding = value.decode("latin-1")
    if media == b"application/json" or media.endswith(b"+json"):
        return Kind.JSON, encoding
    if media == FORM_TYPE:
        return Kind.FORM, encoding
    return Kind.BYTES, encoding


def _number(text: str) -> int | float:
    # JSON numbers compare by value, as the preset json rules do: 1, 1.0 and 1e0 are one number
    value = float(text)
    return int(value) if value.is_integer() else value


def parse_json(body: bytes, ignore: Ignore = NOTHING) -> object:
    """The JSON document of `body` without the parts `ignore` names; INVALID if
    it is not JSON. A name given twice in an object keeps its last value, as JSON.parse does."""
    everywhere, nested = ignore.everywhere, ignore.nested
    hook = _leaving_out(everywhere) if everywhere else None
    try:
        document = json.loads(body, parse_float=_number, object_hook=hook)
        return prune(document, nested) if nested else document
    except (ValueError, RecursionError):  # not JSON, not UTF-8/16/32, or nested too deep
        return INVALID


def _leaving_out(names: frozenset[str]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """An object_hook taking `names` out of every object as it is parsed (`$..name`)."""

    def hook(found: dict[str, Any]) -> dict[str, Any]:
        for name in names:
            found.pop(name, None)
        return found

    return hook


def form_fields(body: bytes, ignore: Ignore = NOTHING) -> Pairs:
    """The fields of an urlencoded form, percent-decoded, ignored names left out, ordered by
    name; the values of a name given more than once keep their order (a list, to most apps)."""
    pairs = []
    for part in body.split(b"&"):
        if part:
            name, _, value = part.replace(b"+", b" ").partition(b"=")
            if b"%" in part:  # (unquoting is pure Python: most fields need none)
                name, value = unquote_to_bytes(name), unquote_to_bytes(value)
            pairs.append((name, value))
    if ignore.form:
        pairs = [pair for pair in pairs if pair[0] not in ignore.form]
    pairs.sort(key=_name)  # stable: repeated names keep their order
    return tuple(pairs)


def _name(pair: tuple[bytes, bytes]) -> bytes:
    return pair[0]


def view(request: Request, ignore: Ignore = NOTHING) -> tuple[Kind, object]:
    """The body as it is compared: (JSON, document), (FORM, fields) or (BYTES, the bytes)."""
    kind, encoding = body_kind(request.headers)
    body = decode_content(request.body, encoding) if kind is not Kind.BYTES else request.body
    if kind is Kind.JSON:
        document = parse_json(body, ignore)
        if document is not INVALID:
            return kind, document
    elif kind is Kind.FORM:
        return kind, form_fields(body, ignore)
    return Kind.BYTES, request.body


def body_key(request: Request, ignore: Ignore = NOTHING) -> bytes:
    """A short key of the body as it is compared; b"" for none."""
    if not request.body:
        return b""
    kind, seen = view(request, ignore)
    if kind is Kind.JSON:
        try:
            return _digest(_CANONICAL.encode(seen).encode())
        except (ValueError, RecursionError):
            return _digest(request.body)
    if kind is Kind.FORM:
        return _digest(repr(seen).encode(), b"form")
    return _digest(request.body)


def _digest(data: bytes, person: bytes = b"") -> bytes:
    return hashlib.blake2b(data, digest_size=16, person=person).digest()
