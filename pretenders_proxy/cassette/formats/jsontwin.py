"""The JSON twin of a cassette: every field, lossless, readable in a pull request.

Text bodies stay text; other bodies are {"base64": ...}. Raw bytes of paths and headers that are
not UTF-8 are kept as escaped surrogates, so `read(write(x)) == x` for every cassette. Version 2
adds what cassette version 2 did: response `chunks` and `cut`, a `websocket` conversation.
"""

import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from pretenders_proxy.cassette.codec import from_item, to_item
from pretenders_proxy.cassette.formats.common import Json, body_json, body_of, get, raw_of, text
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.exchange import Exchange

FORMAT = "pretenders-cassette-json"
VERSION = 2
"""The version written; 1 (no streams) is read too. An older pretenders refuses 2 rather than
drop its streams unsaid."""


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
    _check(document.get("version"))
    for index, item in enumerate(get(document, "exchanges", list, "")):
        yield exchange_of(item, f"exchanges[{index}]")


def _check(version: object) -> None:
    if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
        raise CassetteError(
            f"JSON cassette version {version} is newer than this pretenders reads ({VERSION}): "
            "please upgrade pretenders"
        )
    if version not in range(1, VERSION + 1) or isinstance(version, bool):
        raise CassetteError(f"JSON cassette version {version!r} is not one of 1 to {VERSION}")


def exchange_json(exchange: Exchange) -> Json:
    """The exchange's cassette item with bytes as text (bodies perhaps as base64), and the URL
    added to be read: one field list, codec.py's, so every field the cassette keeps is kept."""
    stored = to_item(exchange)
    request, response = stored["request"], stored["response"]
    request.update(path=text(request["path"]), query=text(request["query"]))
    for part in (request, response):
        part.update(headers=_pairs(part["headers"]), body=body_json(part["body"]))
    if "trailers" in response:
        response["trailers"] = _pairs(response["trailers"])
    stored["request"] = {"method": request["method"], "url": exchange.request.url} | request
    if "websocket" in stored:
        talk = stored["websocket"]
        talk["messages"] = [
            {"from": "client" if from_client else "server", "type": "text" if is_text else "binary",
             "at": at, "data": body_json(data)}
            for from_client, is_text, at, data in talk["messages"]
        ]  # fmt: skip
    return stored


def exchange_of(item: Any, where: str) -> Exchange:
    """The exchange of an item written by `exchange_json` (or by hand: versions, reasons, query,
    headers and bodies may be left out); CassetteError naming the first wrong field."""
    request = dict(get(item, "request", dict, where))
    response = dict(get(item, "response", dict, where))
    at, got = f"{where}.request", f"{where}.response"
    request.update(
        path=raw_of(get(request, "path", str, at)),
        query=raw_of(request.get("query") or ""),
        http_version=request.get("http_version") or "HTTP/1.1",
        headers=_headers(request.get("headers", []), at),
        body=body_of(request.get("body", ""), f"{at}.body"),
    )
    response.update(
        reason=response.get("reason") or "",
        http_version=response.get("http_version") or "HTTP/1.1",
        headers=_headers(response.get("headers", []), got),
        body=body_of(response.get("body", ""), f"{got}.body"),
    )
    if response.get("trailers") is not None:
        response["trailers"] = _headers(response["trailers"], got)
    meta = item.get("meta", {})
    if not isinstance(meta, dict):
        raise CassetteError(f"{where}.meta is not an object")
    meta = dict(meta)
    meta["recorded_at"] = meta.get("recorded_at") or ""
    stored = {"request": request, "response": response, "meta": meta}
    if item.get("websocket") is not None:
        stored["websocket"] = _conversation(item["websocket"], f"{where}.websocket")
    try:
        return from_item(stored)
    except CassetteError as e:
        raise CassetteError(f"{where}.{e}") from None


def _conversation(talk: object, where: str) -> dict[str, Any]:
    """A conversation's messages back to the cassette's [from_client, text, at, data] lists."""
    if not isinstance(talk, dict):
        raise CassetteError(f"{where} is not an object")
    messages = []
    for n, message in enumerate(get(talk, "messages", list, where)):
        at = f"{where}.messages[{n}]"
        sender, kind = get(message, "from", str, at), message.get("type", "text")
        if sender not in ("client", "server") or kind not in ("text", "binary"):
            raise CassetteError(f'{at}: "from" is client or server, "type" text or binary')
        offset = message.get("at", 0.0)
        if not isinstance(offset, int | float) or isinstance(offset, bool):
            raise CassetteError(f"{at}.at is not a number of seconds")
        data = body_of(message.get("data", ""), f"{at}.data")
        messages.append([sender == "client", kind == "text", offset, data])
    return {**talk, "messages": messages}


def _pairs(headers: Iterable[Iterable[bytes]]) -> list[list[str]]:
    return [[text(part) for part in pair] for pair in headers]


def _headers(pairs: object, where: str) -> list[tuple[bytes, bytes]]:
    """[name, value] text pairs back to bytes, for from_item to check and keep."""
    if not isinstance(pairs, list) or not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        for pair in pairs
    ):
        raise CassetteError(f"{where}.headers is not a list of [name, value] pairs")
    return [(raw_of(name), raw_of(value)) for name, value in pairs]
