"""Hoverfly simulations (schema v5), both ways; v1-v4 are read as Hoverfly upgrades them
(hoverflyschemas.py).

A pair's request is a set of matchers; only `exact` ones (any case, and globs without a `*`)
describe one request, so pairs needing others (regex, jsonpath...) are skipped on import and
reported (hoverflymatch.py). Hoverfly matches without request headers, HTTP versions or
reasons, so those are not exported.
"""

import base64
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO
from urllib.parse import unquote

from pretenders_proxy._version import __version__
from pretenders_proxy.cassette.formats import hoverflymatch, hoverflyschemas
from pretenders_proxy.cassette.formats.common import (
    Attached,
    Json,
    Losses,
    header_lists,
    is_text,
    note_grouped,
)
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import query_pairs

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
    request, response = exchange.request, exchange.response
    if request.headers:
        losses.note("request headers (Hoverfly matches without them)")
    note_grouped(exchange, losses, "Hoverfly", response.headers)
    if response.reason or (request.http_version, response.http_version) != ("HTTP/1.1",) * 2:
        losses.note("status reasons and HTTP versions")
    if not is_text(request.body):
        losses.note("binary request bodies (Hoverfly matches bodies as text)")


def read(
    document: object,
    losses: Losses,
    attached: Attached | None = None,
    base: tuple[str, str, int] | None = None,
) -> Iterator[Exchange]:
    """The exchanges of a simulation of any schema; `attached` reads `bodyFile`s beside it,
    `base` is where pairs that match any destination are put (none: they are skipped)."""
    if not isinstance(document, dict):
        raise CassetteError("a Hoverfly simulation is a JSON object")
    actions = (
        document["data"].get("globalActions") if isinstance(document.get("data"), dict) else None
    )
    if isinstance(actions, dict) and (actions.get("delays") or actions.get("delaysLogNormal")):
        losses.note("global delays (globalActions)")
    for index, item in enumerate(hoverflyschemas.pairs_v5(document)):
        where = f"data.pairs[{index}]"
        try:
            yield from hoverflymatch.exchanges_of(item, where, losses, attached, base)
        except hoverflymatch.NotExact as e:
            losses.note(f"pairs matching {e} (not one recorded request)")
