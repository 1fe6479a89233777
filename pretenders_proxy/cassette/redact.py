"""Secrets out of recordings: header and query values replaced by `<redacted>` at record time."""

from collections.abc import Iterable
from dataclasses import dataclass, replace

from pretenders_proxy.model.exchange import REDACTED, Exchange
from pretenders_proxy.model.http import Headers, query_pairs

DEFAULT_HEADERS = ("Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key")


@dataclass(frozen=True, slots=True)
class Redaction:
    """Header names (any case) and query parameter names whose values never reach a cassette."""

    headers: frozenset[bytes] = frozenset(name.lower().encode() for name in DEFAULT_HEADERS)
    query: frozenset[bytes] = frozenset()

    @classmethod
    def adding(cls, headers: Iterable[str] = (), query: Iterable[str] = ()) -> "Redaction":
        """The default headers plus `headers`, and the query parameters `query`."""
        names = {*DEFAULT_HEADERS, *headers}
        return cls(
            frozenset(name.strip().lower().encode("latin-1") for name in names if name.strip()),
            frozenset(name.strip().encode() for name in query if name.strip()),
        )


def redact(exchange: Exchange, redaction: Redaction) -> Exchange:
    """`exchange` with its secrets replaced; `meta.redacted` says where."""
    request, response = exchange.request, exchange.response
    redacted: list[str] = []
    request_headers = _headers(request.headers, redaction.headers, "request header", redacted)
    response_headers = _headers(response.headers, redaction.headers, "response header", redacted)
    query = _query(request.query, redaction.query, redacted)
    if not redacted:
        return exchange
    return replace(
        exchange,
        request=replace(request, headers=request_headers, query=query),
        response=replace(response, headers=response_headers),
        meta=replace(exchange.meta, redacted=tuple(dict.fromkeys(redacted))),
    )


def _headers(headers: Headers, names: frozenset[bytes], where: str, noted: list[str]) -> Headers:
    kept = []
    for name, value in headers:
        if name.lower() in names and value != REDACTED:
            noted.append(f"{where} {name.decode('latin-1')}")
            value = REDACTED
        kept.append((name, value))
    return tuple(kept)


def _query(query: bytes, names: frozenset[bytes], noted: list[str]) -> bytes:
    if not names or not query:
        return query
    parts = []
    for part in query.split(b"&"):
        for name, value in query_pairs(part):  # one pair, or none for an empty part
            if name in names and value != REDACTED:
                noted.append(f"query {name.decode('latin-1')}")
                part = part.partition(b"=")[0] + b"=" + REDACTED
        parts.append(part)
    return b"&".join(parts)
