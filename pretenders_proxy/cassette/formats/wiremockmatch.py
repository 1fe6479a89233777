"""A WireMock mapping's request matchers as the request replay matches: what names one request
is kept (`url`/`urlPath` with `equalTo` query parameters, `equalTo` headers, `equalTo`,
`binaryEqualTo` and `equalToJson` bodies); patterns are either said as losses (where dropping
them only lets more requests match) or make the mapping skipped (where no one request fits)."""

import json
from typing import Any
from urllib.parse import quote

from pretenders_proxy.cassette.formats.common import Json, Losses, b64
from pretenders_proxy.model.http import Headers, header

ANY_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
"""What a mapping without a method (or with ANY) is imported as: replay answers one method per
exchange, so one exchange each for the methods clients send."""
JSON_TYPE = (b"Content-Type", b"application/json")


class NotOneRequest(Exception):
    """The mapping matches requests no single recorded request stands for."""


def methods(wanted: Json, losses: Losses) -> tuple[str, ...]:
    method = wanted.get("method")
    if method is None or method == "ANY":
        losses.note(
            "matching of any method (mappings without one imported once each for "
            + ", ".join(ANY_METHODS)
            + ")"
        )
        return ANY_METHODS
    if not isinstance(method, str):
        raise NotOneRequest("match methods by pattern")
    return (method.upper(),)


def target(wanted: Json) -> tuple[bytes, bytes]:
    """(path, query) of `url` (path and query) or `urlPath` with its `queryParameters`."""
    url = wanted.get("url") or wanted.get("urlPath")
    if not isinstance(url, str):
        raise NotOneRequest("match URLs by pattern")
    path, _, query = url.partition("?")
    if "url" not in wanted or not isinstance(wanted.get("url"), str):
        query = _query(wanted.get("queryParameters"))
    elif wanted.get("queryParameters"):
        raise NotOneRequest("match query parameters beside a whole url")
    return path.encode(), query.encode()


def _query(parameters: object) -> str:
    if not parameters:
        return ""
    if not isinstance(parameters, dict):
        raise NotOneRequest("match query parameters by pattern")
    pairs = []
    for name, pattern in parameters.items():
        for value in _values(pattern):
            pairs.append(f"{quote(str(name), safe='')}={quote(value, safe='')}")
    return "&".join(pairs)


def _values(pattern: object) -> list[str]:
    """The values one query parameter pattern names: `equalTo`, `hasExactly`/`includes` of
    `equalTo`s; none for `absent` (a request without it is the one matched)."""
    if isinstance(pattern, dict) and pattern.get("absent") is True:
        return []
    if isinstance(pattern, dict) and isinstance(pattern.get("equalTo"), str):
        return [pattern["equalTo"]]
    several = (
        pattern.get("hasExactly") or pattern.get("includes") if isinstance(pattern, dict) else None
    )
    if isinstance(several, list) and several:
        return [value for item in several for value in _values(item)]
    raise NotOneRequest("match query parameters by pattern")


def headers(wanted: Json, losses: Losses) -> Headers:
    """The request headers `equalTo` names; other header patterns only narrow what matches
    (replay matches without request headers unless told), so they are said and left out."""
    patterns = wanted.get("headers")
    if not isinstance(patterns, dict):
        return ()
    kept = []
    for name, pattern in patterns.items():
        if isinstance(pattern, dict) and isinstance(pattern.get("equalTo"), str):
            kept.append((str(name).encode("latin-1", "replace"), pattern["equalTo"].encode()))
        elif not (isinstance(pattern, dict) and pattern.get("absent") is True):
            losses.note("request header patterns other than equalTo (not kept)")
    return tuple(kept)


def body(
    wanted: Json, request_headers: Headers, where: str, losses: Losses
) -> tuple[bytes, Headers]:
    """The request body the body patterns name, and the request headers (a Content-Type of
    JSON added for `equalToJson`, so replay compares the body parsed, as WireMock does)."""
    patterns = wanted.get("bodyPatterns")
    if not patterns:
        return b"", request_headers
    if not isinstance(patterns, list) or not all(isinstance(p, dict) for p in patterns):
        raise NotOneRequest("match bodies by patterns that are not a list of objects")
    found = [_exact(pattern, request_headers, where, losses) for pattern in patterns]
    exact = [each for each in found if each is not None]
    if not exact:
        raise NotOneRequest("match bodies by pattern only")
    if len(exact) < len(found):  # the exact body is kept: the others only narrowed it
        losses.note("request body patterns beside an exact one (contains, matches...)")
    return exact[0]  # type: ignore[no-any-return]


def _exact(pattern: Json, request_headers: Headers, where: str, losses: Losses) -> Any:
    if isinstance(pattern.get("equalTo"), str):
        return pattern["equalTo"].encode(), request_headers
    if isinstance(pattern.get("binaryEqualTo"), str):
        return b64(pattern["binaryEqualTo"], f"{where}.request.bodyPatterns"), request_headers
    if "equalToJson" not in pattern:
        return None
    document = pattern["equalToJson"]
    text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    if pattern.get("ignoreExtraElements") or pattern.get("ignoreArrayOrder"):
        losses.note("equalToJson's ignoreExtraElements and ignoreArrayOrder (JSON compared whole)")
    if header(request_headers, "content-type") is None:
        request_headers = (*request_headers, JSON_TYPE)
    return text.encode(), request_headers
