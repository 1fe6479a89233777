"""WireMock stub mappings (a `mappings/` directory with bodies in `__files/`), both ways.

A WireMock server is one host, so exports drop scheme, host and port, and imports take them from
a base URL. Request matchers are read by wiremockmatch.py: mappings that describe no one request
(URL patterns, bodies by pattern only) are skipped and reported. A streamed response becomes a
`chunkedDribbleDelay` (as many chunks, over the same time, but evened out), and back.
"""

import base64
import json
import mimetypes
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from pretenders_proxy.cassette.formats import wiremockmatch as matching
from pretenders_proxy.cassette.formats.common import (
    Json,
    Losses,
    b64,
    get,
    header_lists,
    headers_of,
    is_text,
    note_grouped,
)
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Request, Response, header
from pretenders_proxy.model.stream import Timing

_TEMPLATE = re.compile(rb"\{\{\{?\s*[#/^]?[A-Za-z]")
"""A Handlebars expression ({{now ...}}, {{#each}}, {{{raw}}}), as WireMock's templates hold."""

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
    if response.chunks and response.body:
        answer["chunkedDribbleDelay"] = _dribbled(exchange)
    stub = {"id": stub_id, "uuid": stub_id, "request": wanted, "response": answer}
    return stub | {"persistent": True, "insertionIndex": index + 1}, body_file


def _flat(grouped: dict[str, list[str]]) -> dict[str, str | list[str]]:
    return {name: values[0] if len(values) == 1 else values for name, values in grouped.items()}


def _note(exchange: Exchange, losses: Losses) -> None:
    request, response = exchange.request, exchange.response
    losses.note("scheme, host and port (a WireMock server is one host; import with --base-url)")
    if request.headers:
        losses.note("request headers (the mappings match without them)")
    note_grouped(exchange, losses, "WireMock", response.headers)
    if (request.http_version, response.http_version) != ("HTTP/1.1", "HTTP/1.1"):
        losses.note("HTTP versions")
    if len(response.chunks) > 1 and response.chunks != dribble(response.body, _dribbled(exchange)):
        losses.note("chunk sizes and gaps (WireMock dribbles a body in even chunks)")


def _dribbled(exchange: Exchange) -> Json:
    chunks = exchange.response.chunks
    return {"numberOfChunks": len(chunks), "totalDuration": round(chunks[-1][0] * 1000)}


def dribble(body: bytes, delay: object) -> Timing:
    """The chunk timing a `chunkedDribbleDelay` makes of a body: as many even chunks as it
    says (the last takes the rest), spread evenly from 0 to its total duration (ms)."""
    if not isinstance(delay, dict) or not body:
        return ()
    count, total = delay.get("numberOfChunks"), delay.get("totalDuration")
    if type(count) is not int or not isinstance(total, int | float) or isinstance(total, bool):
        return ()
    count = max(1, min(count, len(body)))
    size = len(body) // count
    sizes = [size] * (count - 1) + [len(body) - size * (count - 1)]
    step = max(0.0, float(total)) / 1000 / (count - 1) if count > 1 else 0.0
    return tuple((round(n * step, 6), each) for n, each in enumerate(sizes))


def read(
    mappings: Iterator[tuple[str, Any]],
    body_file: Callable[[str], bytes],
    base: tuple[str, str, int],
    losses: Losses,
) -> Iterator[Exchange]:
    """Exchanges of (where, mapping) items; `body_file` reads a name in `__files/`."""
    for where, item in mappings:
        try:
            yield from exchanges_of(item, where, body_file, base, losses)
        except matching.NotOneRequest as e:
            losses.note(f"mappings that {e} (not one recorded request)")


def exchanges_of(
    item: Any,
    where: str,
    body_file: Callable[[str], bytes],
    base: tuple[str, str, int],
    losses: Losses,
) -> Iterator[Exchange]:
    """The exchange a mapping stands for (one per method when it matches any)."""
    wanted = get(item, "request", dict, where)
    answer = get(item, "response", dict, where)
    _refuse_unanswerable(answer)
    path, query = matching.target(wanted)
    named = matching.headers(wanted, losses)
    request_body, request_headers = matching.body(wanted, named, where, losses)
    methods = matching.methods(wanted, losses)
    body = _response_body(answer, where, body_file)
    headers = headers_of(answer.get("headers"), f"{where}.response.headers")
    _note_answer(item, answer, headers, body, losses)
    scheme, host, port = base
    for method in methods:
        bodiless = method == "HEAD"
        yield Exchange(
            Request(
                method=method,
                path=path,
                query=query,
                headers=request_headers,
                body=request_body,
                scheme=scheme,
                host=host,
                port=port,
            ),
            Response(
                status=get(answer, "status", int, f"{where}.response"),
                headers=headers,
                body=b"" if bodiless else body,
                reason=str(answer.get("statusMessage") or ""),
                chunks=() if bodiless else dribble(body, answer.get("chunkedDribbleDelay")),
            ),
        )


def _refuse_unanswerable(answer: Json) -> None:
    if "fault" in answer:
        raise matching.NotOneRequest("answer with a fault (a broken connection)")
    if "proxyBaseUrl" in answer:
        raise matching.NotOneRequest("proxy to another server")


def _note_answer(item: Json, answer: Json, headers: Any, body: bytes, losses: Losses) -> None:
    """Losses of the response side: templates (not rendered), delays, scenario states."""
    transformers = answer.get("transformers")
    templated = isinstance(transformers, list) and "response-template" in transformers
    if templated or any(_TEMPLATE.search(text) for text in [body, *(v for _, v in headers)]):
        losses.note("response templates ({{...}} replayed literally, not rendered)")
    if answer.get("fixedDelayMilliseconds") or answer.get("delayDistribution"):
        losses.note("response delays (fixedDelayMilliseconds, delayDistribution)")
    if "scenarioName" in item:
        losses.note("scenario states (same requests answered in the order of the files)")


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
