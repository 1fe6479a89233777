"""Exchanges to and from the plain maps stored in a cassette: str keys, bytes stay bytes."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pretenders_proxy._version import __version__
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.exchange import Exchange, Meta
from pretenders_proxy.model.http import Headers, Request, Response

FORMAT = "pretenders-cassette"
VERSION = 1
"""The version this pretenders writes; older ones are upgraded by migrate.py when read."""
TOOL = f"pretenders {__version__}"

type Record = dict[str, Any]


def header(created: datetime, tool: str = TOOL) -> Record:
    """The map a cassette starts with."""
    return {"format": FORMAT, "version": VERSION, "created": created.isoformat(), "tool": tool}


def version_of(first: object) -> int:
    """The version named by a cassette's first map; CassetteError when it is not a header."""
    if not isinstance(first, Mapping) or first.get("format") != FORMAT:
        raise CassetteError(f"not a pretenders cassette (no {FORMAT!r} header)")
    version = first.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise CassetteError(f"the cassette header has no valid version ({version!r})")
    return version


def to_record(exchange: Exchange) -> Record:
    request, response, meta = exchange.request, exchange.response, exchange.meta
    recorded_response: Record = {
        "status": response.status,
        "reason": response.reason,
        "http_version": response.http_version,
        "headers": _pairs(response.headers),
        "body": response.body,
    }
    if response.trailers is not None:
        recorded_response["trailers"] = _pairs(response.trailers)
    return {
        "request": {
            "method": request.method,
            "scheme": request.scheme,
            "host": request.host,
            "port": request.port,
            "path": request.path,
            "query": request.query,
            "http_version": request.http_version,
            "headers": _pairs(request.headers),
            "body": request.body,
        },
        "response": recorded_response,
        "meta": {
            "recorded_at": meta.recorded_at,
            "duration_ms": meta.duration_ms,
            "redacted": list(meta.redacted),
        },
    }


def from_record(record: object) -> Exchange:
    """The exchange a record stores; CassetteError naming the first field that is wrong."""
    if not isinstance(record, Mapping):
        raise CassetteError(f"an exchange record is a map, not {type(record).__name__}")
    request = _map(record, "request", "")
    response = _map(record, "response", "")
    meta = record.get("meta", {})
    if not isinstance(meta, Mapping):
        raise CassetteError("meta is not a map")
    trailers = response.get("trailers")
    return Exchange(
        request=Request(
            method=_get(request, "method", str, "request"),
            scheme=_get(request, "scheme", str, "request"),
            host=_get(request, "host", str, "request"),
            port=_get(request, "port", int, "request"),
            path=_get(request, "path", bytes, "request"),
            query=_get(request, "query", bytes, "request"),
            http_version=_get(request, "http_version", str, "request"),
            headers=_headers(request.get("headers"), "request.headers"),
            body=_get(request, "body", bytes, "request"),
        ),
        response=Response(
            status=_get(response, "status", int, "response"),
            reason=_get(response, "reason", str, "response"),
            http_version=_get(response, "http_version", str, "response"),
            headers=_headers(response.get("headers"), "response.headers"),
            body=_get(response, "body", bytes, "response"),
            trailers=None if trailers is None else _headers(trailers, "response.trailers"),
        ),
        meta=_meta(meta),
    )


def _meta(meta: Mapping[str, Any]) -> Meta:
    duration = meta.get("duration_ms") or 0.0
    redacted = meta.get("redacted") or []
    if not isinstance(duration, int | float) or isinstance(duration, bool):
        raise CassetteError(f"meta.duration_ms is a {type(duration).__name__}, not a number")
    if not isinstance(redacted, list):
        raise CassetteError(f"meta.redacted is a {type(redacted).__name__}, not a list")
    return Meta(
        recorded_at=str(meta.get("recorded_at", "")),
        duration_ms=float(duration),
        redacted=tuple(str(item) for item in redacted),
    )


def _pairs(headers: Headers) -> list[list[bytes]]:
    return [[name, value] for name, value in headers]


def _map(record: Mapping[str, Any], name: str, where: str) -> Mapping[str, Any]:
    found = record.get(name)
    if not isinstance(found, Mapping):
        raise CassetteError(f"{where}{name} is missing or not a map")
    return found


def _get[T](record: Mapping[str, Any], name: str, kind: type[T], where: str) -> T:
    found = record.get(name)
    if not isinstance(found, kind) or (kind is int and isinstance(found, bool)):
        shown = "missing" if found is None else f"a {type(found).__name__}"
        raise CassetteError(f"{where}.{name} is {shown}, not {kind.__name__}")
    return found


def _headers(pairs: object, where: str) -> Headers:
    if not isinstance(pairs, list):
        raise CassetteError(f"{where} is not a list of [name, value] pairs")
    headers = []
    for pair in pairs:
        if not (
            isinstance(pair, list | tuple)
            and len(pair) == 2
            and all(isinstance(part, bytes) for part in pair)
        ):
            raise CassetteError(f"{where} has an item that is not a [name, value] pair of bytes")
        headers.append((pair[0], pair[1]))
    return tuple(headers)
