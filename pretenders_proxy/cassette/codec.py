"""Exchanges to and from the plain maps stored in a cassette: str keys, bytes stay bytes."""

from collections.abc import Mapping
from datetime import datetime
from itertools import chain
from typing import Any

from pretenders_proxy._version import __version__
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.exchange import Exchange, Meta
from pretenders_proxy.model.http import Headers, Request, Response
from pretenders_proxy.model.stream import Conversation, Timing, WsMessage

FORMAT = "pretenders-cassette"
VERSION = 2
"""The version this pretenders writes; older ones are upgraded by migrate.py when read.
2: responses may carry `chunks` and `cut`, exchanges a `websocket` conversation."""
TOOL = f"pretenders {__version__}"

type Item = dict[str, Any]
"""One map of a cassette file: its header, or an exchange (str keys, bytes kept as bytes)."""


def header(created: datetime, tool: str = TOOL) -> Item:
    """The map a cassette starts with."""
    return {"format": FORMAT, "version": VERSION, "created": created.isoformat(), "tool": tool}


MATCHING_KEYS = ("ignore", "match_on")
"""Header keys a cassette carries its own matching in: lists of `--ignore` SPECs and of
`--match-on` fields, applied when it is replayed (issue 17)."""


type Matching = tuple[tuple[str, ...], tuple[str, ...] | None]
"""A header's matching: its ignore SPECs and match_on fields (None: none stored)."""


def matching_of(head: Mapping[str, Any]) -> Matching:
    """The ignore SPECs and match_on fields a cassette header stores (match_on None: none);
    CassetteError when either is not a list of strings. The SPECs are checked where used."""
    found: list[tuple[str, ...] | None] = []
    for key in MATCHING_KEYS:
        value = head.get(key)
        if value is None:
            found.append(None)
            continue
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise CassetteError(f"the cassette header's {key!r} is not a list of strings")
        found.append(tuple(value))
    ignore, match_on = found
    return ignore or (), match_on


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
    if response.chunks:
        recorded_response["chunks"] = [[at, size] for at, size in response.chunks]
    if response.cut:
        recorded_response["cut"] = response.cut
    item: Item = {
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
    if exchange.websocket is not None:
        item["websocket"] = _conversation_item(exchange.websocket)
    return item


def _conversation_item(conversation: Conversation) -> Item:
    return {
        "messages": [[m.from_client, m.text, m.at, m.data] for m in conversation.messages],
        "close_code": conversation.close_code,
        "close_reason": conversation.close_reason,
        "closed_by_client": conversation.closed_by_client,
        "cut": conversation.cut,
    }


def from_item(item: object) -> Exchange:
    """The exchange an item stores; CassetteError naming the first field that is wrong."""
    request, response = request_from_item(item), response_from_item(item)
    meta = _as_map(item).get("meta", {})
    if not isinstance(meta, Mapping):
        raise CassetteError("meta is not a map")
    websocket = _as_map(item).get("websocket")
    return Exchange(
        request=request,
        response=response,
        meta=_meta(meta),
        websocket=None if websocket is None else conversation_from_item(websocket),
    )


def conversation_from_item(found: object) -> Conversation:
    """The WebSocket conversation of an item; CassetteError naming what is wrong."""
    if not isinstance(found, Mapping):
        raise CassetteError("websocket is not a map")
    messages = found.get("messages") or []
    if not isinstance(messages, list):
        raise CassetteError("websocket.messages is not a list")
    kept = []
    for n, message in enumerate(messages):
        if not (
            isinstance(message, list | tuple)
            and len(message) == 4
            and isinstance(message[0], bool)
            and isinstance(message[1], bool)
            and _is_number(message[2])
            and isinstance(message[3], bytes)
        ):
            raise CassetteError(
                f"websocket.messages[{n}] is not [from_client, text, at, data bytes]"
            )
        from_client, text, at, data = message
        kept.append(WsMessage(from_client, data, text, float(at)))
    code, reason = found.get("close_code"), found.get("close_reason") or ""
    by_client, cut = found.get("closed_by_client"), found.get("cut") or ""
    if code is not None and (not isinstance(code, int) or isinstance(code, bool)):
        raise CassetteError(f"websocket.close_code is a {type(code).__name__}, not int")
    if not isinstance(reason, str) or not isinstance(cut, str):
        raise CassetteError("websocket.close_reason and websocket.cut are text")
    if by_client is not None and not isinstance(by_client, bool):
        raise CassetteError("websocket.closed_by_client is not true, false or nil")
    return Conversation(tuple(kept), code, reason, by_client, cut)


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
    trailers, cut = response.get("trailers"), response.get("cut") or ""
    if not isinstance(cut, str):
        raise CassetteError(f"response.cut is a {type(cut).__name__}, not str")
    return Response(
        status=_get(response, "status", int, "response"),
        reason=_get(response, "reason", str, "response"),
        http_version=_get(response, "http_version", str, "response"),
        headers=_headers(response.get("headers"), "response.headers"),
        body=_get(response, "body", bytes, "response"),
        trailers=None if trailers is None else _headers(trailers, "response.trailers"),
        chunks=_timing(response.get("chunks")),
        cut=cut,
    )


def _timing(chunks: object) -> Timing:
    if not chunks:
        return ()
    if isinstance(chunks, list | tuple) and all(
        isinstance(c, list | tuple)
        and len(c) == 2
        and _is_number(c[0])
        and type(c[1]) is int
        and c[1] >= 0
        for c in chunks
    ):
        return tuple((float(at), size) for at, size in chunks)
    raise CassetteError("response.chunks is not a list of [offset, size] pairs")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


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
