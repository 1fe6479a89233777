"""VCR.py cassettes (YAML or JSON, version 1), both ways; older and other shapes of VCR
cassettes (vcrshapes.py) are read too.

VCR.py keeps headers grouped by name and no HTTP versions or recording times; bodies are kept
as sent (text as text, anything else as YAML !!binary).
"""

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import IO, Any

import yaml

from pretenders_proxy.cassette.formats import vcrshapes
from pretenders_proxy.cassette.formats.common import (
    Json,
    Losses,
    decoded_headers,
    get,
    header_lists,
    headers_of,
    is_stored_decoded,
    note_grouped,
    split_url,
)
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.exchange import Exchange, Meta
from pretenders_proxy.model.http import Headers, Request, Response, header

_Loader = vcrshapes.Loader
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
ALIAS_NODES = 100_000
"""How many nodes YAML aliases may add once expanded: VCR.py writes an anchor at most for a
value it shares, while a 509-byte "billion laughs" file expands to 9**9 strings (issue 15)."""


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
    request, response = exchange.request, exchange.response
    note_grouped(exchange, losses, "VCR.py", request.headers, response.headers)
    if (request.http_version, response.http_version) != ("HTTP/1.1", "HTTP/1.1"):
        losses.note("HTTP versions")


def _body(body: bytes) -> str | bytes:
    try:
        return body.decode()
    except UnicodeDecodeError:
        return body


def read(text: str | bytes, losses: Losses) -> Iterator[Exchange]:
    try:
        document = load(text)
    except yaml.constructor.ConstructorError as e:
        if "could not determine a constructor" not in (e.problem or ""):
            raise CassetteError(f"not a VCR.py cassette (YAML: {e.problem})") from None
        tag = (e.problem or "").rpartition("tag ")[2]
        raise CassetteError(f"not a VCR cassette: YAML tag {tag} is not plain data") from None
    except yaml.YAMLError as e:
        raise CassetteError(f"not a VCR.py cassette (YAML: {str(e).splitlines()[0]})") from None
    except RecursionError:
        raise CassetteError("not a VCR.py cassette (YAML nested too deeply)") from None
    yield from read_document(document, losses)


def read_document(document: object, losses: Losses) -> Iterator[Exchange]:
    """The exchanges of a parsed cassette (YAML, or VCR.py's JSON serializer)."""
    for index, item in enumerate(vcrshapes.interactions_of(document)):
        exchange = exchange_of(vcrshapes.normalized(item, losses), f"interactions[{index}]")
        response = exchange.response
        if is_stored_decoded(response.headers, response.body):
            # VCR.py (6+) saves bodies decoded but keeps the Content-Encoding header
            losses.note("response Content-Encoding (VCR.py saved the body decoded)")
            headers = decoded_headers(response.headers, len(response.body))
            exchange = replace(exchange, response=replace(response, headers=headers))
        elif _length_differs(exchange):
            losses.note("response Content-Length that did not match the stored body (fixed)")
            headers = _with_length(response.headers, len(response.body))
            exchange = replace(exchange, response=replace(response, headers=headers))
        yield exchange


def _length_differs(exchange: Exchange) -> bool:
    """Whether a response's Content-Length is not its body's (a body stored parsed and written
    back); HEAD, 1xx, 204 and 304 answers have no body whatever their Content-Length."""
    response = exchange.response
    length = header(response.headers, "content-length")
    bodiless = exchange.request.method == "HEAD" or response.status in (204, 304)
    if length is None or bodiless or response.status < 200:
        return False
    return length.strip() != str(len(response.body))


def _with_length(headers: Headers, size: int) -> Headers:
    return tuple(
        (name, str(size).encode() if name.lower() == b"content-length" else value)
        for name, value in headers
    )


def load(text: str | bytes) -> Any:
    """The YAML document in `text`, its aliases checked before they are expanded."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_aliases(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def check_aliases(root: yaml.Node) -> None:
    """CassetteError when aliases make the node tree at `root` more than ALIAS_NODES nodes
    bigger than it is written, or make it a cycle. Sized without expanding, node by node."""
    sizes: dict[int, int] = {}  # by id(): how many nodes each stands for, expanded
    ancestors: set[int] = set()
    pending: list[tuple[yaml.Node, bool]] = [(root, False)]
    while pending:
        node, children_done = pending.pop()
        if children_done:
            ancestors.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in _children(node))
        elif id(node) in ancestors:
            raise CassetteError("a YAML alias refers to the node it is in")
        elif id(node) not in sizes:  # else another alias of a node already sized
            ancestors.add(id(node))
            pending.append((node, True))
            pending.extend((child, False) for child in _children(node))
    expanded, written = sizes[id(root)], len(sizes)
    if expanded - written > ALIAS_NODES:
        raise CassetteError(
            f"YAML aliases expand its {written:,} nodes to {expanded:,}, more than "
            f"{ALIAS_NODES:,} beyond what is written: refused (VCR.py cassettes need none)"
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


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
            http_version=vcrshapes.http_version(response),
        ),
        Meta(recorded_at=vcrshapes.recorded_at(item)),
    )


def _bytes(value: object, where: str) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    raise CassetteError(f"{where} is not text or binary")
