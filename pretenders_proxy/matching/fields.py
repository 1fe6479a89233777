"""Matchers for recorded requests: `(expected, actual) -> None` on a match, else why not.

Each matcher compares one field's key; replay looks recordings up by the tuple of those keys
(`MatchSpec.key`), so the index and the near-miss explanation always agree. Values recorded as
`<redacted>` match anything; the parts an Ignore names take no part at all.
"""

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import attrgetter

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.matching import parts
from pretenders_proxy.matching.canonical import body_key
from pretenders_proxy.matching.ignore import NOTHING, Ignore
from pretenders_proxy.model.exchange import REDACTED
from pretenders_proxy.model.http import Request, query_pairs

type RequestMatcher = Callable[[Request, Request], str | None]
type Ignored = frozenset[bytes]
"""Query parameter or header names whose values are not compared (they were redacted)."""
type Lines = Callable[[Request, Request, Ignored], list[str]]
"""The `--ignore` lines of a field that differs: (this request, the recorded one, redacted)."""

HEADER_PREFIX = "header:"
DEFAULT_MATCH_ON = ("method", "scheme", "host", "port", "path", "query", "body")


@dataclass(frozen=True, slots=True)
class Field:
    """One comparable part of a request: its key (ignoring redacted names) and how it reads."""

    key: Callable[[Request, Ignored], Hashable]
    show: Callable[[Request], str]
    redacted_in: Callable[[Request], Ignored] = lambda request: frozenset()
    keys: Callable[[Sequence[Request], Ignored], Iterable[Hashable]] | None = None
    """The keys of many requests at once, each as `key` gives it, where that is faster (C-level
    maps over a loaded cassette's requests); None: `key` on each."""
    lines: Lines | None = None
    """How it differs in the `--ignore` grammar; None: its values cannot be ignored."""


def query_field(ignore: Ignore = NOTHING) -> Field:
    """The query parameters, in any order, without the ignored ones."""
    skip = ignore.query

    def key(request: Request, redacted: Ignored) -> Hashable:
        if not request.query:
            return ()
        pairs = query_pairs(request.query)
        return tuple(
            sorted((n, REDACTED if n in redacted else v) for n, v in pairs if n not in skip)
        )

    def lines(got: Request, recorded: Request, redacted: Ignored) -> list[str]:
        return parts.query_lines(got, recorded, ignore, redacted)

    return Field(key, _show_query, _redacted_query, lines=lines)


def _show_query(request: Request) -> str:
    return request.query.decode("latin-1") or "(none)"


def _redacted_query(request: Request) -> Ignored:
    return frozenset(name for name, value in query_pairs(request.query) if value == REDACTED)


def body_field(ignore: Ignore = NOTHING) -> Field:
    """The body: JSON and forms compared parsed (canonical.py), without the ignored parts."""

    def key(request: Request, redacted: Ignored) -> Hashable:
        return body_key(request, ignore) if request.body else b""

    def lines(got: Request, recorded: Request, redacted: Ignored) -> list[str]:
        return parts.body_lines(got, recorded, ignore)

    return Field(key, _show_body, lines=lines)


def _attribute(name: str) -> Callable[[Sequence[Request], Ignored], Iterable[Hashable]]:
    """The keys of a field whose key is its value as it is."""
    value = attrgetter(name)
    return lambda requests, ignored: map(value, requests)


def _lower(name: str) -> Callable[[Sequence[Request], Ignored], Iterable[Hashable]]:
    """The keys of a field whose key is its value in lower case."""
    value = attrgetter(name)
    return lambda requests, ignored: map(str.lower, map(value, requests))


def _show_body(request: Request) -> str:
    body = request.body
    excerpt = repr(body[:40]) + ("..." if len(body) > 40 else "")
    return f"{len(body)} bytes {excerpt}" if body else "empty"


FIELDS: dict[str, Field] = {
    "method": Field(lambda r, _: r.method, lambda r: r.method, keys=_attribute("method")),
    "scheme": Field(lambda r, _: r.scheme.lower(), lambda r: r.scheme, keys=_lower("scheme")),
    "host": Field(lambda r, _: r.host.lower(), lambda r: r.host, keys=_lower("host")),
    "port": Field(lambda r, _: r.port, lambda r: str(r.port), keys=_attribute("port")),
    "path": Field(lambda r, _: r.path, lambda r: r.path.decode("latin-1"), keys=_attribute("path")),
    "query": query_field(),
    "body": body_field(),
}


def header_field(name: str, ignore: Ignore = NOTHING) -> Field:
    """The values of header `name` (any case), in order; none at all when it is ignored."""
    wanted = name.lower().encode("latin-1")
    if wanted in ignore.headers:
        return Field(lambda r, _: None, lambda r: "(ignored)")

    def values(request: Request) -> tuple[bytes, ...]:
        return tuple(v for n, v in request.headers if n.lower() == wanted)

    def key(request: Request, ignored: Ignored) -> Hashable:
        return REDACTED if wanted in ignored else values(request)

    def show(request: Request) -> str:
        found = values(request)
        return b", ".join(found).decode("latin-1") if found else "(absent)"

    def redacted_in(request: Request) -> Ignored:
        return frozenset({wanted}) if REDACTED in values(request) else frozenset()

    def lines(got: Request, recorded: Request, redacted: Ignored) -> list[str]:
        if wanted in redacted:
            return []
        mine, theirs = values(got), values(recorded)
        if mine == theirs:
            return []
        return [f"header:{name}: {parts.show_text(mine)} vs {parts.show_text(theirs)}"]

    return Field(key, show, redacted_in, lines=lines)


def field_of(name: str, ignore: Ignore = NOTHING) -> Field:
    if name.startswith(HEADER_PREFIX):
        return header_field(name[len(HEADER_PREFIX) :], ignore)
    if ignore and name == "query":
        return query_field(ignore)
    if ignore and name == "body":
        return body_field(ignore)
    return FIELDS[name]


def matcher(name: str, ignore: Ignore = NOTHING) -> RequestMatcher:
    """The matcher comparing field `name` (see FIELDS, or `header:<Name>`)."""
    part = field_of(name, ignore)

    def match(expected: Request, actual: Request) -> str | None:
        ignored = part.redacted_in(expected)
        if part.key(expected, ignored) == part.key(actual, ignored):
            return None
        return f"{name}: {part.show(actual)} (recorded: {part.show(expected)})"

    match.__name__ = name
    return match


def parse_match_on(items: Iterable[str]) -> tuple[str, ...]:
    """Field names from `--match-on` values (comma-separated); ConfigError if unknown."""
    names = [part.strip() for item in items for part in item.split(",") if part.strip()]
    for name in names:
        is_header = name.startswith(HEADER_PREFIX) and len(name) > len(HEADER_PREFIX)
        if name not in FIELDS and not is_header:
            known = ", ".join([*FIELDS, HEADER_PREFIX + "<Name>"])
            raise ConfigError(f"match-on: unknown field {name!r} (known: {known})")
    if not names:
        raise ConfigError("match-on: name at least one field to match requests on")
    return tuple(dict.fromkeys(names))


KNOWN_KEYS, KNOWN_BODY = 1024, 4096
"""MatchSpec keeps the keys of at most this many requests, none with a bigger body."""


@dataclass(frozen=True, slots=True)
class MatchSpec:
    """What replay compares: `fields`, ignoring the values of the `redacted` names and the parts
    `ignore` names."""

    fields: tuple[str, ...] = DEFAULT_MATCH_ON
    redacted: Ignored = frozenset()
    """Query parameter names and lower-case header names whose values are never compared."""
    ignore: Ignore = NOTHING
    _keys: tuple[Field, ...] = field(init=False, repr=False, compare=False)
    _matchers: tuple[RequestMatcher, ...] = field(init=False, repr=False, compare=False)
    _known: dict[int, tuple[Request, tuple[Hashable, ...]]] = field(
        init=False, repr=False, compare=False
    )
    """Keys made lately, by request object (kept alive here; a Request never changes): a
    replay asks for its request's key more than once, and a fast lane's head cache hands
    every request of one head the same object."""

    def __post_init__(self) -> None:
        # Resolved once: key() runs on every replayed request.
        ignore = self.ignore
        object.__setattr__(self, "_keys", tuple(field_of(name, ignore) for name in self.fields))
        matchers = tuple(matcher(name, ignore) for name in self.fields)
        object.__setattr__(self, "_matchers", matchers)
        object.__setattr__(self, "_known", {})

    def key(self, request: Request) -> tuple[Hashable, ...]:
        """The index key of `request`: equal keys mean the request matches."""
        known = self._known
        found = known.get(id(request))
        if found is not None and found[0] is request:
            return found[1]
        redacted = self.redacted
        key = tuple([part.key(request, redacted) for part in self._keys])
        if len(request.body) <= KNOWN_BODY:
            if len(known) >= KNOWN_KEYS:
                known.clear()
            known[id(request)] = (request, key)
        return key

    def keys(self, requests: Sequence[Request]) -> list[tuple[Hashable, ...]]:
        """The key of each of `requests` (as `key`), computed field by field: a cassette's."""
        redacted = self.redacted
        columns = [
            map(part.key, requests, repeat(redacted)) if part.keys is None
            else part.keys(requests, redacted)
            for part in self._keys
        ]  # fmt: skip
        return list(zip(*columns, strict=True)) if columns else [()] * len(requests)

    def failures(self, expected: Request, actual: Request) -> tuple[str, ...]:
        """Why `actual` does not match the recorded `expected`, one reason per field."""
        reasons = (match(expected, actual) for match in self._matchers)
        return tuple(reason for reason in reasons if reason is not None)

    def parts(self, expected: Request, actual: Request) -> list[str]:
        """How `actual` differs from the recorded `expected` in the `--ignore` grammar (this
        request's value vs the recorded one); none unless every differing field is one whose
        values can be ignored (query, body as JSON or form, headers)."""
        found: list[str] = []
        for part in self._keys:
            redacted = self.redacted | part.redacted_in(expected)
            if part.key(expected, redacted) == part.key(actual, redacted):
                continue
            lines = [] if part.lines is None else part.lines(actual, expected, redacted)
            if not lines:
                return []
            found += lines
        return found
