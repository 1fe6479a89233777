"""The JSON twin of a cassette: every field, lossless, readable in a pull request.

Text bodies stay text; other bodies are {"base64": ...}. Raw bytes of paths and headers that are
not UTF-8 are kept as escaped surrogates, so `read(write(x)) == x` for every cassette.
"""

import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from pretenders_proxy.cassette.formats.common import Json, body_json, body_of, get, raw_of, text
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.exchange import Exchange, Meta
from pretenders_proxy.model.http import Headers, Request, Response

FORMAT = "pretenders-cassette-json"
VERSION = 1


def write(stream: IO[str], exchanges: Iterable[Exchange]) -> None:
    """The JSON document, one exchange at a time (nothing held but the current one)."""
    stream.write(f'{{\n  "format": "{FORMAT}",\n  "version": {VERSION},\n  "exchanges": [')
    separator = "\n"
    for exchange in exchanges:
        item = json.dumps(exchange_json(exchange), indent=2, ensure_ascii=False)
        stream.write(separator + "    " + item.replace("\n", "\n    "))
        separator = ",\n"
    stream.write("\n  ]\n}\n")


def read(document: object) -> Iterator[Exchange]:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CassetteError(f'not a pretenders JSON cassette (no "format": "{FORMAT}")')
    if document.get("version") != VERSION:
        raise CassetteError(f"JSON cassette version {document.get('version')!r} is not {VERSION}")
    for index, item in enumerate(get(document, "exchanges", list, "")):
        yield exchange_of(item, f"exchanges[{index}]")


def exchange_json(exchange: Exchange) -> Json:
    request, response, meta = exchange.request, exchange.response, exchange.meta
    answer: Json = {
        "status": response.status,
        "reason": response.reason,
        "http_version": response.http_version,
        "headers": _pairs(response.headers),
        "body": body_json(response.body),
    }
    if response.trailers is not None:
        answer["trailers"] = _pairs(response.trailers)
    return {
        "request": {
            "method": request.method,
            "url": request.url,
            "scheme": request.scheme,
            "host": request.host,
            "port": request.port,
            "path": text(request.path),
            "query": text(request.query),
            "http_version": request.http_version,
            "headers": _pairs(request.headers),
            "body": body_json(request.body),
        },
        "response": answer,
        "meta": {
            "recorded_at": meta.recorded_at,
            "duration_ms": meta.duration_ms,
            "redacted": list(meta.redacted),
        },
    }


def exchange_of(item: Any, where: str) -> Exchange:
    request = get(item, "request", dict, where)
    response = get(item, "response", dict, where)
    meta = item.get("meta") or {}
    trailers = response.get("trailers")
    at, got = f"{where}.request", f"{where}.response"
    return Exchange(
        Request(
            method=get(request, "method", str, at),
            path=raw_of(get(request, "path", str, at)),
            query=raw_of(request.get("query") or ""),
            headers=_headers(request.get("headers", []), at),
            body=body_of(request.get("body", ""), f"{at}.body"),
            scheme=get(request, "scheme", str, at),
            host=get(request, "host", str, at),
            port=get(request, "port", int, at),
            http_version=request.get("http_version") or "HTTP/1.1",
        ),
        Response(
            status=get(response, "status", int, got),
            headers=_headers(response.get("headers", []), got),
            body=body_of(response.get("body", ""), f"{got}.body"),
            reason=response.get("reason") or "",
            http_version=response.get("http_version") or "HTTP/1.1",
            trailers=None if trailers is None else _headers(trailers, got),
        ),
        Meta(
            recorded_at=str(meta.get("recorded_at") or ""),
            duration_ms=float(meta.get("duration_ms") or 0.0),
            redacted=tuple(str(name) for name in meta.get("redacted") or ()),
        ),
    )


def _pairs(headers: Headers) -> list[list[str]]:
    return [[text(name), text(value)] for name, value in headers]


def _headers(pairs: object, where: str) -> Headers:
    if not isinstance(pairs, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        for pair in pairs
    ):
        raise CassetteError(f"{where}.headers is not a list of [name, value] pairs")
    return tuple((raw_of(name), raw_of(value)) for name, value in pairs)
