"""Exchanges to and from the plain maps stored in a cassette: str keys, bytes stay bytes."""

from collections.abc import Mapping
from datetime import datetime
from itertools import chain
from typing import Any

from pretenders_proxy._version import __version__
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.exchange import Exchange, Meta
from pretenders_proxy.model.http import Headers, Request, Response

FORMAT = "pretenders-cassette"
VERSION = 1
"""The version this pretenders writes; older ones are upgraded by migrate.py when read."""
TOOL = f"pretenders {__version__}"

type Item = dict[str, Any]
"""One map of a cassette file: its header, or an exchange (str keys, bytes kept as bytes)."""


def header(created: datetime, tool: str = TOOL) -> Item:
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


def to_item(exchange: Exchange) -> Item:
    request, response, meta = exchange.request, exchange.response, exchange.meta
    recorded_response: Item = {
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


def from_item(item: object) -> Exchange:
    """The exchange an item stores; CassetteError naming the first field that is wrong."""
    request, response = request_from_item(item), response_from_item(item)
    meta = _as_map(item).get("meta", {})
    if not isinstance(meta, Mapping):
        raise CassetteError("meta is not a map")
    return Exchange(
        request=request,
        response=response,
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


def request_from_item(item: object) -> Request:
    """Only the request of an item (what replay indexes); CassetteError as from_item."""
    request = _map(_as_map(item), "request", "")
    get = request.get
    method, scheme, host, port = get("method"), get("scheme"), get("host"), get("port")
    path, query, version, body = get("path"), get("query"), get("http_version"), get("body")
    if (  # the usual case, checked at once (replay indexes every request of a cassette)
        type(method) is str
        and type(scheme) is str
        and type(host) is str
        and type(port) is int
        and type(path) is bytes
        and type(query) is bytes
        and type(version) is str
        and type(body) is bytes
    ):
        return Request(
            method, path, query, _headers(get("headers"), "request.headers"), body,
            scheme, host, port, version,
        )  # fmt: skip
    return Request(  # the field-by-field checks name the first field that is wrong
        method=_get(request, "method", str, "request"),
        scheme=_get(request, "scheme", str, "request"),
        host=_get(request, "host", str, "request"),
        port=_get(request, "port", int, "request"),
        path=_get(request, "path", bytes, "request"),
        query=_get(request, "query", bytes, "request"),
        http_version=_get(request, "http_version", str, "request"),
        headers=_headers(request.get("headers"), "request.headers"),
        body=_get(request, "body", bytes, "request"),
    )


def response_from_item(item: object) -> Response:
    """Only the response of an item (read when it is played); CassetteError as from_item."""
    response = _map(_as_map(item), "response", "")
    trailers = response.get("trailers")
    return Response(
        status=_get(response, "status", int, "response"),
        reason=_get(response, "reason", str, "response"),
        http_version=_get(response, "http_version", str, "response"),
        headers=_headers(response.get("headers"), "response.headers"),
        body=_get(response, "body", bytes, "response"),
        trailers=None if trailers is None else _headers(trailers, "response.trailers"),
    )


def _as_map(item: object) -> Mapping[str, Any]:
    if not isinstance(item, Mapping):
        raise CassetteError(f"an exchange record is a map, not {type(item).__name__}")
    return item


def _pairs(headers: Headers) -> list[list[bytes]]:
    return [[name, value] for name, value in headers]


def _map(item: Mapping[str, Any], name: str, where: str) -> Mapping[str, Any]:
    found = item.get(name)
    if not isinstance(found, Mapping):
        raise CassetteError(f"{where}{name} is missing or not a map")
    return found


def _get[T](item: Mapping[str, Any], name: str, kind: type[T], where: str) -> T:
    found = item.get(name)
    if not isinstance(found, kind) or (kind is int and isinstance(found, bool)):
        shown = "missing" if found is None else f"a {type(found).__name__}"
        raise CassetteError(f"{where}.{name} is {shown}, not {kind.__name__}")
    return found


_PAIR_TYPES = frozenset({list, tuple})
_PAIR_LENGTHS = frozenset({2})
_BYTES = frozenset({bytes})


def _headers(pairs: object, where: str) -> Headers:
    # Checked with C-level passes (map, set): replay indexes every request of a cassette.
    if not isinstance(pairs, list | tuple):
        raise CassetteError(f"{where} is not a list of [name, value] pairs")
    if set(map(type, pairs)) <= _PAIR_TYPES:
        headers = tuple(map(tuple, pairs))
        if set(map(len, headers)) <= _PAIR_LENGTHS and set(map(type, chain(*headers))) <= _BYTES:
            return headers
    raise CassetteError(f"{where} has an item that is not a [name, value] pair of bytes")
