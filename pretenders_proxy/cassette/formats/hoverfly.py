"""Hoverfly simulations (schema v5), both ways.

A pair's request is a set of matchers; only `exact` ones describe one request, so pairs using
others (glob, regex, jsonpath...) are skipped on import and reported. Hoverfly matches without
request headers, HTTP versions or reasons, so those are not exported.
"""

import base64
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, Any
from urllib.parse import quote, unquote

from pretenders_proxy._version import __version__
from pretenders_proxy.cassette.formats.common import (
    Json,
    Losses,
    b64,
    get,
    header_lists,
    headers_of,
    is_interleaved,
    is_text,
)
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Request, Response, query_pairs, split_host

SCHEMA = "v5"


def write(stream: IO[str], exchanges: Iterable[Exchange], losses: Losses) -> None:
    stream.write('{"data": {"pairs": [')
    separator = "\n"
    for exchange in exchanges:
        stream.write(separator + json.dumps(pair(exchange, losses), ensure_ascii=False))
        separator = ",\n"
    meta = {
        "schemaVersion": SCHEMA,
        "hoverflyVersion": "v1.10.0",
        "timeExported": datetime.now(UTC).isoformat(),
        "exportedBy": f"pretenders {__version__}",
    }
    globals_: dict[str, list[object]] = {"delays": [], "delaysLogNormal": []}
    stream.write(f'\n], "globalActions": {json.dumps(globals_)}}}, "meta": {json.dumps(meta)}}}\n')


def pair(exchange: Exchange, losses: Losses) -> Json:
    request, response = exchange.request, exchange.response
    _note(exchange, losses)
    default = 443 if request.scheme == "https" else 80
    destination = request.host if request.port in (0, default) else f"{request.host}:{request.port}"
    query: dict[str, list[Json]] = {}
    for name, value in query_pairs(request.query):
        query.setdefault(name.decode(errors="replace"), []).append(
            _exact(unquote(value.decode("latin-1").replace("+", " ")))
        )
    matchers: Json = {
        "path": [_exact(unquote(request.path.decode("latin-1")))],
        "method": [_exact(request.method)],
        "destination": [_exact(destination)],
        "scheme": [_exact(request.scheme)],
        "body": [_exact(request.body.decode(errors="replace"))],
    }
    if query:
        matchers["query"] = query
    binary = not is_text(response.body)
    return {
        "request": matchers,
        "response": {
            "status": response.status,
            "body": base64.b64encode(response.body).decode() if binary else response.body.decode(),
            "encodedBody": binary,
            "headers": header_lists(response.headers),
            "templated": False,
        },
    }


def _exact(value: str) -> Json:
    return {"matcher": "exact", "value": value}


def _note(exchange: Exchange, losses: Losses) -> None:
    request, response, meta = exchange.request, exchange.response, exchange.meta
    if request.headers:
        losses.note("request headers (Hoverfly matches without them)")
    if is_interleaved(response.headers):
        losses.note("header order across names (Hoverfly groups headers by name)")
    if response.reason or (request.http_version, response.http_version) != ("HTTP/1.1",) * 2:
        losses.note("status reasons and HTTP versions")
    if meta.recorded_at or meta.duration_ms or meta.redacted:
        losses.note("recording time, duration and redaction notes")
    if response.trailers:
        losses.note("response trailers")
    if not is_text(request.body):
        losses.note("binary request bodies (Hoverfly matches bodies as text)")


def read(document: object, losses: Losses) -> Iterator[Exchange]:
    meta = get(document, "meta", dict, "")  # type: ignore[arg-type]
    if not str(meta.get("schemaVersion", "")).startswith("v5"):
        raise CassetteError(f"Hoverfly schema {meta.get('schemaVersion')!r} is not v5")
    data = get(document, "data", dict, "")  # type: ignore[arg-type]
    for index, item in enumerate(get(data, "pairs", list, "data")):
        where = f"data.pairs[{index}]"
        try:
            yield exchange_of(item, where)
        except _NotExact as e:
            losses.note(f"pairs matching with {e} (not one recorded request)")


class _NotExact(Exception):
    pass


def exchange_of(item: Any, where: str) -> Exchange:
    request = get(item, "request", dict, where)
    response = get(item, "response", dict, where)
    host, port = split_host(_value(request, "destination", ""))
    scheme = _value(request, "scheme", "http")
    if not host:
        raise _NotExact("no exact destination")
    query = request.get("query") or {}
    if not isinstance(query, dict):
        raise CassetteError(f"{where}.request.query is not a map")
    raw_query = "&".join(
        f"{quote(name)}={quote(_single(matcher))}"
        for name, matchers in query.items()
        for matcher in matchers
    )
    body = response.get("body") or ""
    if not isinstance(body, str):
        raise CassetteError(f"{where}.response.body is not a string")
    return Exchange(
        Request(
            method=_value(request, "method", "GET"),
            path=quote(_value(request, "path", "/"), safe="/%:@!$&'()*+,;=~-._").encode(),
            query=raw_query.encode(),
            body=_value(request, "body", "").encode(),
            scheme=scheme,
            host=host,
            port=port or (443 if scheme == "https" else 80),
        ),
        Response(
            status=get(response, "status", int, f"{where}.response"),
            headers=headers_of(response.get("headers"), f"{where}.response.headers"),
            body=b64(body, f"{where}.response.body")
            if response.get("encodedBody")
            else body.encode(),
        ),
    )


def _value(request: Json, field: str, default: str) -> str:
    matchers = request.get(field)
    if not matchers:
        return default
    if not isinstance(matchers, list) or len(matchers) != 1:
        raise _NotExact(f"several {field} matchers")
    return _single(matchers[0])


def _single(matcher: object) -> str:
    if not isinstance(matcher, dict) or not isinstance(matcher.get("value"), str):
        raise _NotExact("a matcher without a value")
    if matcher.get("matcher") != "exact":
        raise _NotExact(f"{matcher.get('matcher')!r} matchers")
    return str(matcher["value"])
