"""WireMock stub mappings (a `mappings/` directory with bodies in `__files/`), both ways.

A WireMock server is one host, so exports drop scheme, host and port, and imports take them from
a base URL. Only mappings that describe one request (`url` or `urlPath`, a plain method, bodies
by `equalTo`) are imported; others are skipped and reported.
"""

import base64
import json
import mimetypes
import uuid
from collections.abc import Callable, Iterator
from typing import Any

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
from pretenders_proxy.model.http import Request, Response, header

type BodyFile = tuple[str, bytes]
"""A body kept beside the mappings: its name in `__files/` and its bytes."""


def mapping(exchange: Exchange, index: int, losses: Losses) -> tuple[Json, BodyFile | None]:
    """The stub mapping of one exchange, and its response body file if it has a body."""
    request, response = exchange.request, exchange.response
    _note(exchange, losses)
    stub_id = str(uuid.UUID(int=index + 1))
    wanted: Json = {"method": request.method, "url": request.target.decode("latin-1")}
    if request.body:
        wanted["bodyPatterns"] = [
            {"equalTo": request.body.decode()}
            if is_text(request.body)
            else {"binaryEqualTo": base64.b64encode(request.body).decode()}
        ]
    answer: Json = {"status": response.status, "headers": _flat(header_lists(response.headers))}
    if response.reason:
        answer["statusMessage"] = response.reason
    body_file = None
    if response.body:
        kind = (header(response.headers, "content-type") or "").split(";")[0].strip()
        extension = mimetypes.guess_extension(kind) or ".bin"
        body_file = (f"body-{index + 1:06d}{extension}", response.body)
        answer["bodyFileName"] = body_file[0]
    stub = {"id": stub_id, "uuid": stub_id, "request": wanted, "response": answer}
    return stub | {"persistent": True, "insertionIndex": index + 1}, body_file


def _flat(grouped: dict[str, list[str]]) -> dict[str, str | list[str]]:
    return {name: values[0] if len(values) == 1 else values for name, values in grouped.items()}


def _note(exchange: Exchange, losses: Losses) -> None:
    request, response, meta = exchange.request, exchange.response, exchange.meta
    losses.note("scheme, host and port (a WireMock server is one host; import with --base-url)")
    if request.headers:
        losses.note("request headers (the mappings match without them)")
    if is_interleaved(response.headers):
        losses.note("header order across names (WireMock groups headers by name)")
    if (request.http_version, response.http_version) != ("HTTP/1.1", "HTTP/1.1"):
        losses.note("HTTP versions")
    if meta.recorded_at or meta.duration_ms or meta.redacted:
        losses.note("recording time, duration and redaction notes")
    if response.trailers:
        losses.note("response trailers")


def read(
    mappings: Iterator[tuple[str, Any]],
    body_file: Callable[[str], bytes],
    base: tuple[str, str, int],
    losses: Losses,
) -> Iterator[Exchange]:
    """Exchanges of (where, mapping) items; `body_file` reads a name in `__files/`."""
    for where, item in mappings:
        try:
            yield exchange_of(item, where, body_file, base)
        except _NotOneRequest as e:
            losses.note(f"mappings that {e} (not one recorded request)")


class _NotOneRequest(Exception):
    pass


def exchange_of(
    item: Any, where: str, body_file: Callable[[str], bytes], base: tuple[str, str, int]
) -> Exchange:
    wanted = get(item, "request", dict, where)
    answer = get(item, "response", dict, where)
    url = wanted.get("url") or wanted.get("urlPath")
    if not isinstance(url, str):
        raise _NotOneRequest("match URLs by pattern")
    method = wanted.get("method") or "GET"
    if method == "ANY":
        raise _NotOneRequest("match any method")
    path, _, query = url.partition("?")
    scheme, host, port = base
    return Exchange(
        Request(
            method=str(method),
            path=path.encode(),
            query=query.encode(),
            body=_request_body(wanted.get("bodyPatterns"), where),
            scheme=scheme,
            host=host,
            port=port,
        ),
        Response(
            status=get(answer, "status", int, f"{where}.response"),
            headers=headers_of(answer.get("headers"), f"{where}.response.headers"),
            body=_response_body(answer, where, body_file),
            reason=str(answer.get("statusMessage") or ""),
        ),
    )


def _request_body(patterns: object, where: str) -> bytes:
    if not patterns:
        return b""
    if not isinstance(patterns, list) or len(patterns) != 1 or not isinstance(patterns[0], dict):
        raise _NotOneRequest("match bodies by several patterns")
    pattern = patterns[0]
    if isinstance(pattern.get("equalTo"), str):
        return str(pattern["equalTo"]).encode()
    if isinstance(pattern.get("binaryEqualTo"), str):
        return b64(pattern["binaryEqualTo"], f"{where}.request.bodyPatterns")
    raise _NotOneRequest("match bodies by pattern")


def _response_body(answer: Json, where: str, body_file: Callable[[str], bytes]) -> bytes:
    if isinstance(answer.get("bodyFileName"), str):
        return body_file(answer["bodyFileName"])
    if isinstance(answer.get("base64Body"), str):
        return b64(answer["base64Body"], f"{where}.response.base64Body")
    if "jsonBody" in answer:
        return json.dumps(answer["jsonBody"]).encode()
    body = answer.get("body", "")
    if not isinstance(body, str):
        raise CassetteError(f"{where}.response.body is not a string")
    return body.encode()
