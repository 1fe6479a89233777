"""A Hoverfly v5 pair as the exchange replay answers: its matchers read as Hoverfly reads them
(names in any case, "" meaning exact; a glob without `*` is its literal text), what names one
request kept, and what only narrows it said as a loss."""

from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import quote

from pretenders_proxy.cassette.formats.common import Attached, Json, Losses, b64, get, headers_of
from pretenders_proxy.cassette.formats.wiremockmatch import ANY_METHODS, JSON_TYPE
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Headers, Request, Response, split_host

PATH_SAFE = "/%:@!$&'()*+,;=~-._"
NO_SCHEME = "pairs with no scheme or an empty one (imported as http; https on port 443)"


class NotExact(Exception):
    """The pair matches requests no single recorded request stands for."""


def exchanges_of(
    item: Any,
    where: str,
    losses: Losses,
    attached: Attached | None,
    base: tuple[str, str, int] | None,
) -> Iterator[Exchange]:
    request = get(item, "request", dict, where)
    response = get(item, "response", dict, where)
    path = value(request.get("path"), "path", losses)
    if path is None:
        raise NotExact("any path")
    scheme, host, port = _origin(request, base, losses)
    body, headers = _body(request, _headers(request.get("headers"), losses), losses)
    method = value(request.get("method"), "method", losses)
    if method is None:
        losses.note(
            "matching of any method (pairs without one imported once each for "
            + ", ".join(ANY_METHODS)
            + ")"
        )
    answer = _response(response, where, losses, attached)
    _note_states(request, response, losses)
    for each in (method.upper(),) if method else ANY_METHODS:
        yield Exchange(
            Request(
                method=each,
                path=quote(path, safe=PATH_SAFE).encode(),
                query=_query(request, losses).encode(),
                headers=headers,
                body=body,
                scheme=scheme,
                host=host,
                port=port,
            ),
            answer if each != "HEAD" else Response(answer.status, answer.headers, b""),
        )


def _origin(
    request: Json, base: tuple[str, str, int] | None, losses: Losses
) -> tuple[str, str, int]:
    destination = value(request.get("destination"), "destination", losses)
    if not destination:
        if base is None:
            raise NotExact("any destination (give --base-url to import them under one host)")
        losses.note("pairs that match any destination (imported under --base-url)")
        return base
    host, port = split_host(destination)
    scheme = value(request.get("scheme"), "scheme", losses) or ""
    if scheme.lower() not in ("http", "https"):
        if scheme:
            raise NotExact(f"the scheme {scheme!r}")
        losses.note(NO_SCHEME)
        scheme = "https" if port == 443 else "http"
    scheme = scheme.lower()
    return scheme, host, port or (443 if scheme == "https" else 80)


def value(matchers: object, field: str, losses: Losses) -> str | None:
    """The one value a field's matchers name; None when there are none (anything matches)."""
    if not matchers:
        return None
    if not isinstance(matchers, list) or not all(isinstance(m, dict) for m in matchers):
        raise CassetteError(f"the {field} matchers are not a list of objects")
    exact = {text for m in matchers if (text := literal(m)) is not None}
    if len(exact) != 1:
        kinds = sorted({str(m.get("matcher", "")).lower() for m in matchers if literal(m) is None})
        raise NotExact(f"{field} by {', '.join(map(repr, kinds)) or 'several values'}")
    (found,) = exact
    others = [m for m in matchers if literal(m) is None]
    if any(not _glob_holds(m, found) for m in others):
        losses.note("matchers beside an exact one (only the exact value kept)")
    return found


def literal(matcher: Json) -> str | None:
    """The text an exact matcher (or a glob without `*`) names; None for any other."""
    kind, text = str(matcher.get("matcher", "")).lower(), matcher.get("value")
    if not isinstance(text, str):
        return None
    if kind in ("", "exact") or (kind == "glob" and "*" not in text):
        return text
    return None


def _glob_holds(matcher: Json, text: str) -> bool:
    pattern = matcher.get("value")
    if str(matcher.get("matcher", "")).lower() != "glob" or not isinstance(pattern, str):
        return False
    return fnmatchcase(text, pattern.replace("[", "[[]"))  # Hoverfly's globs know only *


def _query(request: Json, losses: Losses) -> str:
    """`query` (by name, schema v5.1+) or `deprecatedQuery` (the whole query, v5.0 and older)."""
    whole = request.get("deprecatedQuery")
    if isinstance(request.get("query"), list):
        whole = request["query"]
    if whole:
        text = value(whole, "query", losses) or ""
        return "&".join(quote(part, safe="=") for part in text.split("&")) if text else ""
    named = request.get("query") or {}
    if not isinstance(named, dict):
        raise CassetteError("the query matchers are not a map of names")
    parts = []
    for name, matchers in named.items():
        found = value(matchers, f"query {name!r}", losses)
        if found is None:
            continue
        for each in found.split(";"):  # Hoverfly joins a name's values with ";"
            parts.append(f"{quote(str(name), safe='')}={quote(each, safe='')}")
    return "&".join(parts)


def _headers(matchers: object, losses: Losses) -> Headers:
    if not isinstance(matchers, dict):
        return ()
    kept: dict[str, list[str]] = {}
    for name, each in matchers.items():
        try:
            found = value(each, "header", losses)
        except NotExact:
            found = None
        if found is None:
            losses.note("request header matchers other than exact (not kept)")
        else:
            kept[str(name)] = found.split(";")
    return headers_of(kept, "request.headers")


def _body(request: Json, headers: Headers, losses: Losses) -> tuple[bytes, Headers]:
    """The body an exact (or a `json`, compared parsed as replay does) matcher names."""
    matchers = request.get("body")
    if isinstance(matchers, list) and len(matchers) == 1 and isinstance(matchers[0], dict):
        matcher = matchers[0]
        if str(matcher.get("matcher", "")).lower() == "json" and isinstance(
            matcher.get("value"), str
        ):
            named = {name.lower() for name, _ in headers}
            return matcher["value"].encode(), headers if b"content-type" in named else (
                *headers,
                JSON_TYPE,
            )
    found = value(matchers, "body", losses)
    return (found or "").encode(), headers


def _response(response: Json, where: str, losses: Losses, attached: Attached | None) -> Response:
    body_text = response.get("body") or ""
    if not isinstance(body_text, str):
        raise CassetteError(f"{where}.response.body is not a string")
    name = response.get("bodyFile")
    if not body_text and isinstance(name, str) and name:
        if attached is None:
            raise CassetteError(f"{where}.response.bodyFile: a file beside the simulation")
        found = attached(name, f"{where}.response.bodyFile")
        if found is None:
            raise CassetteError(f"{where}.response.bodyFile {name!r}: no such file")
        body = found
    elif response.get("encodedBody"):
        body = b64(body_text, f"{where}.response.body")
    else:
        body = body_text.encode()
    if response.get("templated"):
        losses.note("response templates ({{...}} replayed literally, not rendered)")
    if response.get("fixedDelay") or response.get("logNormalDelay"):
        losses.note("response delays (fixedDelay, logNormalDelay)")
    if response.get("postServeAction"):
        losses.note("post-serve actions (callbacks)")
    return Response(
        status=get(response, "status", int, f"{where}.response"),
        headers=headers_of(response.get("headers"), f"{where}.response.headers"),
        body=body,
    )


def _note_states(request: Json, response: Json, losses: Losses) -> None:
    if (
        request.get("requiresState")
        or response.get("transitionsState")
        or response.get("removesState")
    ):
        losses.note("states (requiresState, transitionsState; same requests answered in order)")
