"""Hoverfly simulations of schema v1 to v4 (and hoverfly-java's older file without `meta`) made
v5, as Hoverfly itself upgrades them when it loads one (its simulation_views_upgrade.go): plain
v1 fields become `exact` matchers (`glob` when the pair is not a recording), v2-v4 field objects
(`exactMatch`, `globMatch`...) become matcher lists, a whole query string becomes
`deprecatedQuery` (unescaped), and request headers become `glob` matchers of their values
joined by ";"."""

from typing import Any
from urllib.parse import unquote

from pretenders_proxy.cassette.formats.common import Json
from pretenders_proxy.errors import CassetteError

FIELDS = ("scheme", "method", "destination", "path", "body")
V2_MATCHERS = {
    "exactMatch": "exact",
    "globMatch": "glob",
    "jsonMatch": "json",
    "jsonPathMatch": "jsonpath",
    "regexMatch": "regex",
    "xmlMatch": "xml",
    "xpathMatch": "xpath",
}


def version(document: Json) -> str:
    """The schema version a simulation says ("v1" for one without `meta`, hoverfly-java's)."""
    meta = document.get("meta")
    if meta is None and isinstance(document.get("data"), list):
        return "v1"
    if not isinstance(meta, dict):
        raise CassetteError(".meta is missing or not a dict")
    return str(meta.get("schemaVersion", ""))


def pairs_v5(document: Json) -> list[Any]:
    """The pairs of a simulation of any schema, as schema v5 has them."""
    found = version(document)
    data = document.get("data")
    pairs = (
        data if isinstance(data, list) else data.get("pairs") if isinstance(data, dict) else None
    )
    if not isinstance(pairs, list):
        raise CassetteError(".data.pairs is missing or not a list")
    if found.startswith("v5"):
        return pairs
    if found == "v1":
        return [_v1(pair) for pair in pairs]
    if found in ("v2", "v3", "v4"):
        return [_v2(pair) for pair in pairs]
    raise CassetteError(f"Hoverfly schema {found!r} is not one of v1 to v5")


def _v1(pair: object) -> object:
    if not isinstance(pair, dict) or not isinstance(pair.get("request"), dict):
        return pair
    request = pair["request"]
    recording = request.get("requestType") in (None, "recording")
    kind = "exact" if recording else "glob"
    upgraded: Json = {
        field: [{"matcher": kind, "value": request[field]}]
        for field in FIELDS
        if isinstance(request.get(field), str)
    }
    if isinstance(request.get("query"), str):
        upgraded["deprecatedQuery"] = [{"matcher": kind, "value": unquote(request["query"])}]
    upgraded["headers"] = _headers(request.get("headers"))
    return pair | {"request": upgraded}


def _v2(pair: object) -> object:
    """v2, v3 and v4 pairs (v4 adds header and query matchers by name, and states)."""
    if not isinstance(pair, dict) or not isinstance(pair.get("request"), dict):
        return pair
    request = pair["request"]
    upgraded: Json = {field: _matchers(request.get(field)) for field in FIELDS}
    query = request.get("query")
    if isinstance(query, dict):
        upgraded["deprecatedQuery"] = [
            {"matcher": V2_MATCHERS[name], "value": unquote(value)}
            for name, value in query.items()
            if name in ("exactMatch", "globMatch") and isinstance(value, str)
        ]
    headers = _headers(request.get("headers"))
    for name, matchers in (request.get("headersWithMatchers") or {}).items():
        headers.setdefault(name, []).extend(_matchers(matchers))
    upgraded["headers"] = headers
    queries = request.get("queriesWithMatchers") or {}
    upgraded["query"] = {name: _matchers(value) for name, value in queries.items()}
    if request.get("requiresState"):
        upgraded["requiresState"] = request["requiresState"]
    return pair | {"request": upgraded}


def _matchers(view: object) -> list[Json]:
    if not isinstance(view, dict):
        return []
    return [
        {"matcher": kind, "value": view[name]}
        for name, kind in V2_MATCHERS.items()
        if view.get(name) is not None
    ]


def _headers(headers: object) -> dict[str, list[Json]]:
    if not isinstance(headers, dict):
        return {}
    return {
        str(name): [{"matcher": "glob", "value": ";".join(str(v) for v in values)}]
        for name, values in headers.items()
        if isinstance(values, list)
    }
