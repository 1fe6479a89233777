"""VCR.py cassettes (YAML, version 1), both ways.

VCR.py keeps headers grouped by name and no HTTP versions or recording times; bodies are kept
as sent (text as text, anything else as YAML !!binary).
"""

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import IO, Any

import yaml

from pretenders_proxy.cassette.formats.common import (
    Json,
    Losses,
    decoded_headers,
    get,
    header_lists,
    headers_of,
    is_interleaved,
    is_stored_decoded,
    split_url,
)
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Request, Response

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def write(stream: IO[str], exchanges: Iterable[Exchange], losses: Losses) -> None:
    """The YAML document, one interaction at a time (a top-level list item each)."""
    stream.write("interactions:\n")
    for exchange in exchanges:
        stream.write(yaml.dump([interaction(exchange, losses)], Dumper=_Dumper, sort_keys=False))
    stream.write("version: 1\n")


def interaction(exchange: Exchange, losses: Losses) -> Json:
    request, response = exchange.request, exchange.response
    _note(exchange, losses)
    return {
        "request": {
            "body": _body(request.body) if request.body else None,
            "headers": header_lists(request.headers),
            "method": request.method,
            "uri": request.url,
        },
        "response": {
            "body": {"string": _body(response.body)},
            "headers": header_lists(response.headers),
            "status": {"code": response.status, "message": response.reason},
        },
    }


def _note(exchange: Exchange, losses: Losses) -> None:
    request, response, meta = exchange.request, exchange.response, exchange.meta
    if is_interleaved(request.headers) or is_interleaved(response.headers):
        losses.note("header order across names (VCR.py groups headers by name)")
    if (request.http_version, response.http_version) != ("HTTP/1.1", "HTTP/1.1"):
        losses.note("HTTP versions")
    if meta.recorded_at or meta.duration_ms or meta.redacted:
        losses.note("recording time, duration and redaction notes")
    if response.trailers:
        losses.note("response trailers")


def _body(body: bytes) -> str | bytes:
    try:
        return body.decode()
    except UnicodeDecodeError:
        return body


def read(text: str | bytes, losses: Losses) -> Iterator[Exchange]:
    try:
        document = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as e:
        raise CassetteError(f"not a VCR.py cassette (YAML: {str(e).splitlines()[0]})") from None
    if not isinstance(document, dict) or "interactions" not in document:
        raise CassetteError("not a VCR.py cassette (no 'interactions')")
    for index, item in enumerate(get(document, "interactions", list, "")):
        exchange = exchange_of(item, f"interactions[{index}]")
        response = exchange.response
        if is_stored_decoded(response.headers, response.body):
            # VCR.py (6+) saves bodies decoded but keeps the Content-Encoding header
            losses.note("response Content-Encoding (VCR.py saved the body decoded)")
            headers = decoded_headers(response.headers, len(response.body))
            exchange = replace(exchange, response=replace(response, headers=headers))
        yield exchange


def exchange_of(item: Any, where: str) -> Exchange:
    request = get(item, "request", dict, where)
    response = get(item, "response", dict, where)
    scheme, host, port, path, query = split_url(get(request, "uri", str, f"{where}.request"), where)
    status = get(response, "status", dict, f"{where}.response")
    body = response.get("body") or {}
    return Exchange(
        Request(
            method=get(request, "method", str, f"{where}.request"),
            path=path,
            query=query,
            headers=headers_of(request.get("headers"), f"{where}.request.headers"),
            body=_bytes(request.get("body"), f"{where}.request.body"),
            scheme=scheme,
            host=host,
            port=port,
        ),
        Response(
            status=get(status, "code", int, f"{where}.response.status"),
            headers=headers_of(response.get("headers"), f"{where}.response.headers"),
            body=_bytes(body.get("string") if isinstance(body, dict) else body, where),
            reason=str(status.get("message") or ""),
        ),
    )


def _bytes(value: object, where: str) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    raise CassetteError(f"{where} is not text or binary")
