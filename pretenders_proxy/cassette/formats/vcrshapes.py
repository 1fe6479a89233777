"""The other shapes VCR cassettes come in, made the one VCR.py writes today: vcrpy before 1.0
(a list; request objects; "name: value" header lines), httpx-era responses (`status_code`,
`content`), serializers that store JSON bodies parsed (`parsed_body`), Ruby VCR
(`http_interactions`), and the YAML tags of Python 2 (plain text and tuples only: no object of
any class is ever made)."""

import base64
import binascii
import json
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import yaml

from pretenders_proxy.cassette.formats.common import Json, Losses
from pretenders_proxy.errors import CassetteError

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
PY = "tag:yaml.org,2002:python/"
PARSED = "exact body bytes of bodies stored parsed (parsed_body; written back as JSON)"


class Loader(_Base):  # type: ignore[misc,valid-type]
    """YAML's safe loader, and Python 2's tags for text, numbers, tuples and sets as plain
    data; the one object tag old vcrpy wrote (its Request) as the mapping of its fields."""


def _scalar(loader: Any, node: yaml.Node) -> str:
    return str(loader.construct_scalar(node))


def _number(loader: Any, node: yaml.Node) -> int:
    return int(loader.construct_scalar(node))


def _sequence(loader: Any, node: yaml.Node) -> list[Any]:
    return list(loader.construct_sequence(node, deep=True))


def _applied(loader: Any, node: yaml.Node) -> list[Any]:
    """frozenset([...]) or set([...]): the items, in the order written."""
    if isinstance(node, yaml.MappingNode):  # the long form: {args: [[...]]}
        arguments = _fields(loader, node).get("args") or []
    else:
        arguments = _sequence(loader, node) if isinstance(node, yaml.SequenceNode) else []
    return list(arguments[0]) if len(arguments) == 1 and isinstance(arguments[0], list) else []


def _fields(loader: Any, node: yaml.Node) -> dict[Any, Any]:
    return dict(loader.construct_mapping(node, deep=True))


for _tag in ("unicode", "str"):
    Loader.add_constructor(PY + _tag, _scalar)
for _tag in ("long", "int"):
    Loader.add_constructor(PY + _tag, _number)
Loader.add_constructor(PY + "tuple", _sequence)
for _builtins in ("__builtin__", "builtins"):
    for _kind in ("frozenset", "set"):
        Loader.add_constructor(f"{PY}object/apply:{_builtins}.{_kind}", _applied)
Loader.add_constructor(PY + "object:vcr.request.Request", _fields)


def interactions_of(document: object) -> list[Any]:
    """The interaction list of any of the shapes (a list itself before vcrpy 1.0)."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for name in ("interactions", "http_interactions"):
            if isinstance(document.get(name), list):
                return list(document[name])
    raise CassetteError("not a VCR cassette (no 'interactions' list)")


def normalized(item: object, losses: Losses) -> object:
    """An interaction in today's VCR.py shape (others are passed on, to be refused there)."""
    if not isinstance(item, dict):
        return item
    request, response = item.get("request"), item.get("response")
    if not isinstance(request, dict) or not isinstance(response, dict):
        return item
    parsed = "parsed_body" in request or "parsed_body" in response
    if parsed:
        losses.note(PARSED)
    return item | {"request": _request(request), "response": _response(response)}


def _request(request: Json) -> Json:
    found = dict(request)
    if "uri" not in found and isinstance(found.get("host"), str):  # vcrpy < 1.0
        scheme = str(found.get("protocol") or "http")
        port = found.get("port")
        default = port in (None, 443 if scheme == "https" else 80)
        netloc = found["host"] if default else f"{found['host']}:{port}"
        found["uri"] = f"{scheme}://{netloc}{found.get('path') or '/'}"
    if isinstance(found.get("method"), str):
        found["method"] = found["method"].upper()  # Ruby VCR writes them lower case
    found["headers"] = grouped(found.get("headers"))
    if found.get("body") is None and "parsed_body" in found:
        found["body"] = _serialized(found["parsed_body"])
    found["body"] = _body(found.get("body"))
    return found


def _response(response: Json) -> Json:
    found = dict(response)
    if "status" not in found and isinstance(found.get("status_code"), int):  # httpx era
        found["status"] = {"code": found["status_code"], "message": ""}
    body = found.get("body")
    if body is None and "content" in found:
        body = found["content"]
    if (body is None or body == {}) and "parsed_body" in found:
        body = _serialized(found["parsed_body"])
    found["body"] = {"string": _body(body)}
    found["headers"] = grouped(found.get("headers"))
    return found


def _serialized(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _body(body: object) -> object:
    """A body as text or bytes; Ruby VCR's {string|base64_string, encoding} unwrapped."""
    if isinstance(body, Mapping) and "base64_string" in body:
        try:
            return base64.b64decode(str(body["base64_string"]))
        except (binascii.Error, ValueError):
            raise CassetteError("a body's base64_string is not valid base64") from None
    if isinstance(body, Mapping) and "string" in body:
        return body["string"]
    return body


def grouped(headers: object) -> object:
    """Headers as {name: [values]}, from the lists older versions wrote: "name: value\\r\\n"
    lines, or [name, value] and [name, [values]] pairs (others are passed on, refused later)."""
    if not isinstance(headers, list):
        return headers
    found: dict[Any, list[Any]] = {}
    for item in headers:
        if isinstance(item, str) and ":" in item:
            name, _, value = item.partition(":")
            found.setdefault(name.strip(), []).append(value.strip())
        elif isinstance(item, list) and len(item) == 2:
            values = item[1] if isinstance(item[1], list) else [item[1]]
            found.setdefault(item[0], []).extend(values)
        else:
            return headers
    return found


def recorded_at(item: object) -> str:
    """Ruby VCR's `recorded_at` (an HTTP date) as ISO-8601; "" when absent or unreadable."""
    value = item.get("recorded_at") if isinstance(item, dict) else None
    if not isinstance(value, str):
        return ""
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError):
        return ""


def http_version(response: object) -> str:
    """The response's HTTP version where one is kept (httpx era, Ruby VCR), else HTTP/1.1."""
    value = response.get("http_version") if isinstance(response, dict) else None
    if not isinstance(value, str) or not value.strip():
        return "HTTP/1.1"
    value = value.strip().upper()
    value = value if value.startswith("HTTP/") else f"HTTP/{value}"
    return "HTTP/2.0" if value == "HTTP/2" else value
