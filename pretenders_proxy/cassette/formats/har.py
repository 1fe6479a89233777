"""HAR 1.2 (browsers' and mitmproxy's "HTTP Archive"), both ways.

HAR keeps response bodies decoded: exporting undoes Content-Encoding, and importing drops the
Content-Encoding header (and fixes Content-Length) so the decoded body replays correctly.
Streams ride in custom fields (harstreams.py): WebSocket messages as Chrome saves them.
"""

import base64
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, Any
from urllib.parse import urlencode

from pretenders_proxy._version import __version__
from pretenders_proxy.cassette.formats import harstreams
from pretenders_proxy.cassette.formats.common import (
    Attached,
    Json,
    Losses,
    b64,
    decoded_headers,
    get,
    is_text,
    split_url,
    timestamp,
)
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.matching.subject import decoded_body
from pretenders_proxy.model.exchange import Exchange, Meta
from pretenders_proxy.model.http import Headers, Request, Response, header, query_pairs


def write(stream: IO[str], exchanges: Iterable[Exchange], losses: Losses) -> None:
    creator = {"name": "pretenders", "version": __version__}
    stream.write('{"log": {"version": "1.2", "creator": ' + json.dumps(creator))
    stream.write(', "entries": [')
    separator = "\n"
    for exchange in exchanges:
        stream.write(separator + json.dumps(entry(exchange, losses), ensure_ascii=False))
        separator = ",\n"
    stream.write("\n]}}\n")


def entry(exchange: Exchange, losses: Losses) -> Json:
    request, response, meta = exchange.request, exchange.response, exchange.meta
    _note(exchange, losses)
    content: Json = {
        "size": len(response.body),
        "mimeType": header(response.headers, "content-type") or "",
    }
    decoded = decoded_body(response.body, response.headers)
    if is_text(decoded):
        content["text"] = decoded.decode()
    elif decoded:
        content |= {"text": base64.b64encode(decoded).decode(), "encoding": "base64"}
    started = timestamp(meta.recorded_at)
    talk = exchange.websocket
    har_request: Json = {
        "method": request.method,
        "url": request.url if talk is None else harstreams.websocket_url(request.url),
        "httpVersion": request.http_version,
        "cookies": [],
        "headers": _pairs(request.headers),
        "queryString": [
            {"name": n.decode("latin-1"), "value": v.decode("latin-1")}
            for n, v in query_pairs(request.query)
        ],
        "headersSize": -1,
        "bodySize": len(request.body),
    }
    if request.body:
        mime = header(request.headers, "content-type") or ""
        if is_text(request.body):
            har_request["postData"] = {"mimeType": mime, "text": request.body.decode()}
        else:  # HAR has no encoding for postData; "_encoding" is an allowed custom field
            body = base64.b64encode(request.body).decode()
            har_request["postData"] = {"mimeType": mime, "text": body, "_encoding": "base64"}
    found = {
        "startedDateTime": datetime.fromtimestamp(started, UTC).isoformat(),
        "time": meta.duration_ms,
        "request": har_request,
        "response": {
            "status": response.status,
            "statusText": response.reason,
            "httpVersion": response.http_version,
            "cookies": [],
            "headers": _pairs(response.headers),
            "content": content,
            "redirectURL": header(response.headers, "location") or "",
            "headersSize": -1,
            "bodySize": len(response.body),
            **harstreams.chunk_fields(response, decoded, losses),
        },
        "cache": {},
        "timings": {"send": 0, "wait": meta.duration_ms, "receive": 0},
    }
    return found if talk is None else found | harstreams.websocket_fields(talk, started)


def _note(exchange: Exchange, losses: Losses) -> None:
    response = exchange.response
    if response.trailers:
        losses.note("response trailers")
    if exchange.meta.redacted:
        losses.note("the list of redacted fields")
    if response.body and header(response.headers, "content-encoding"):
        losses.note("response Content-Encoding (HAR bodies are decoded)")


def read(document: object, losses: Losses, attached: Attached | None = None) -> Iterator[Exchange]:
    """The exchanges of a HAR (or of one entry alone, as haralyzer keeps them); `attached`
    reads the body files Playwright's attach mode names (`content._file`)."""
    if is_entry(document):
        entries, at = [document], "entry"
    else:
        log = get(document, "log", dict, "")  # type: ignore[arg-type]
        entries, at = get(log, "entries", list, "log"), "log.entries"
    for index, item in enumerate(entries):
        where = f"{at}[{index}]"
        if not isinstance(item, dict):
            raise CassetteError(f"{where} is not an object")
        response = item.get("response")
        if not isinstance(response, dict) or not response.get("status"):
            losses.note("entries without a response (failed or blocked requests)")
            continue
        yield exchange_of(item, where, losses, attached)


def is_entry(document: object) -> bool:
    """Whether a JSON document is one HAR entry rather than a whole HAR."""
    if not isinstance(document, dict) or "log" in document:
        return False
    request, response = document.get("request"), document.get("response")
    return isinstance(request, dict) and isinstance(response, dict) and "content" in response


def exchange_of(
    item: Json, where: str, losses: Losses, attached: Attached | None = None
) -> Exchange:
    request = get(item, "request", dict, where)
    response = get(item, "response", dict, where)
    url = harstreams.http_url(get(request, "url", str, f"{where}.request"))
    scheme, host, port, path, query = split_url(url, where)
    method = get(request, "method", str, f"{where}.request")
    post = request.get("postData") or {}
    request_body = _post_body(post, f"{where}.request.postData", losses)
    content = response.get("content") or {}
    response_headers = _headers(response.get("headers", []), f"{where}.response")
    body = _response_body(content, f"{where}.response.content", losses, attached)
    status = get(response, "status", int, f"{where}.response")
    if method.upper() == "HEAD" or status in (204, 304) or status < 200:
        pass  # no body whatever the headers say: its Content-Length tells the GET's size
    elif header(response_headers, "content-encoding"):
        losses.note("response Content-Encoding (HAR bodies are decoded)")
        response_headers = decoded_headers(response_headers, len(body))
    elif (length := header(response_headers, "content-length")) and length.strip() != str(
        len(body)
    ):
        # A browser may save a response without (all of) its body: a replayed Content-Length
        # promising more than the body would leave the client waiting for the rest.
        losses.note("response bodies the HAR did not hold whole (Content-Length set to theirs)")
        response_headers = decoded_headers(response_headers, len(body))
    started = item.get("startedDateTime")
    chunks, cut = harstreams.chunks_of(response, body, f"{where}.response", losses)
    talk = None
    if "_webSocketMessages" in item:
        begun = timestamp(_iso(started)) if _iso(started) else None
        talk = harstreams.conversation_of(item, begun, where, losses)
    return Exchange(
        Request(
            method=method,
            path=path,
            query=query,
            headers=_headers(request.get("headers", []), f"{where}.request"),
            body=request_body,
            scheme=scheme,
            host=host,
            port=port,
            http_version=_version(request.get("httpVersion")),
        ),
        Response(
            status=status,
            headers=response_headers,
            body=body,
            reason=str(response.get("statusText") or ""),
            http_version=_version(response.get("httpVersion")),
            chunks=chunks,
            cut=cut,
        ),
        Meta(
            recorded_at=_iso(started),
            duration_ms=_milliseconds(item.get("time"), f"{where}.time"),
        ),
        websocket=talk,
    )


def _milliseconds(value: object, where: str) -> float:
    if value is None:
        return 0.0
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise CassetteError(f"{where} is not a number of milliseconds")
    return float(value)


def _post_body(post: Any, where: str, losses: Losses) -> bytes:
    """postData's text; a form some tools keep only as `params`, encoded back (a multipart
    form's parts cannot be: it is said)."""
    params = post.get("params") if isinstance(post, dict) and not post.get("text") else None
    if not params:
        return _body(post, where)
    if not isinstance(params, list) or not all(isinstance(p, dict) for p in params):
        raise CassetteError(f"{where}.params is not a list of objects")
    if "urlencoded" not in str(post.get("mimeType", "")):
        losses.note("request bodies kept only as form params (not urlencoded; imported empty)")
        return b""
    pairs = [(str(p.get("name", "")), str(p.get("value", ""))) for p in params]
    return urlencode(pairs).encode()


def _response_body(content: Any, where: str, losses: Losses, attached: Attached | None) -> bytes:
    """The body in `text`, or in the file `_file` names beside the HAR (Playwright)."""
    name = content.get("_file") if isinstance(content, dict) and "text" not in content else None
    if name is None:
        return _body(content, where)
    if not isinstance(name, str) or not name or attached is None:
        raise CassetteError(f"{where}._file is not the name of a file beside the HAR")
    found = attached(name, f"{where}._file")
    if found is None:
        losses.note("response bodies in attached files that are missing (imported empty)")
        return b""
    return found


def _body(holder: Any, where: str) -> bytes:
    if not isinstance(holder, dict):
        raise CassetteError(f"{where} is not an object")
    value = holder.get("text") or ""
    if not isinstance(value, str):
        raise CassetteError(f"{where}.text is not a string")
    if holder.get("encoding") == "base64" or holder.get("_encoding") == "base64":
        return b64(value, f"{where}.text")
    return value.encode()


def _version(value: object) -> str:
    """HAR versions as the model writes them ("http/2.0" and "h2" from Chrome -> "HTTP/2.0")."""
    if not isinstance(value, str) or not value:
        return "HTTP/1.1"
    lowered = value.lower()
    if lowered in ("h2", "http/2", "http/2.0"):
        return "HTTP/2.0"
    if lowered in ("h3", "http/3", "http/3.0"):
        return "HTTP/3"
    return value.upper()


def _iso(value: object) -> str:
    if not isinstance(value, str):
        return ""
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
    except ValueError:
        return ""


def _pairs(headers: Headers) -> list[Json]:
    return [{"name": n.decode("latin-1"), "value": v.decode("latin-1")} for n, v in headers]


def _headers(items: object, where: str) -> Headers:
    if not isinstance(items, list):
        raise CassetteError(f"{where}.headers is not a list")
    pairs = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise CassetteError(f"{where}.headers has an item without a name")
        if item["name"].startswith(":"):  # HTTP/2 pseudo-headers, as Chrome saves them
            continue
        pairs.append((_raw(item["name"]), _raw(str(item.get("value", "")))))
    return tuple(pairs)


def _raw(value: str) -> bytes:
    """A header name or value; latin-1 as on the wire, UTF-8 when it holds more (browsers)."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode()
