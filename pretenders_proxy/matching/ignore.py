"""`--ignore` SPECs, one grammar everywhere: `json:$.path` (a JSONPath subset), `header:Name`,
`query:name`, `form:name`; the parts of a request replay does not compare."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.model.jsonpath import JsonPath, PathError, Step, parse_path

KINDS = ("json", "header", "query", "form")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
"""A header name (RFC 9110 token)."""


@dataclass(frozen=True, slots=True)
class Ignore:
    """What replay leaves out of matching: JSON paths of the body, lower-case header names,
    query and form field names (percent-decoded); `specs` as given, for showing and storing."""

    specs: tuple[str, ...] = ()
    json: tuple[JsonPath, ...] = ()
    headers: frozenset[bytes] = frozenset()
    query: frozenset[bytes] = frozenset()
    form: frozenset[bytes] = frozenset()

    everywhere: frozenset[str] = field(init=False, repr=False, compare=False)
    """The names of `$..name` paths: left out of every object as the body is parsed."""
    nested: tuple[JsonPath, ...] = field(init=False, repr=False, compare=False)
    """The other paths, pruned from the parsed document."""

    def __post_init__(self) -> None:
        # worked out once: every JSON body replay keys reads them
        alone = [p for p in self.json if len(p.parts) == 1 and p.parts[0].step is Step.DESCEND]
        object.__setattr__(self, "everywhere", frozenset(str(p.parts[0].arg) for p in alone))
        object.__setattr__(self, "nested", tuple(p for p in self.json if p not in alone))

    def __bool__(self) -> bool:
        return bool(self.specs)


NOTHING = Ignore()


def parse_ignore(specs: Iterable[str]) -> Ignore:
    """The Ignore of `specs`; ConfigError naming the first bad one and what is wrong with it."""
    given = tuple(dict.fromkeys(spec.strip() for spec in specs if spec.strip()))
    found: dict[str, list[Any]] = {kind: [] for kind in KINDS}
    for spec in given:
        kind, value = parse_spec(spec)
        found[kind].append(value)
    return Ignore(
        given,
        tuple(found["json"]),
        frozenset(found["header"]),
        frozenset(found["query"]),
        frozenset(found["form"]),
    )


def parse_spec(spec: str) -> tuple[str, JsonPath | bytes]:
    """(kind, what) of one SPEC: a JsonPath, or a name as bytes (headers in lower case)."""
    kind, colon, value = spec.partition(":")
    if not colon or kind.strip().lower() not in KINDS:
        known = ", ".join(f"{k}:" for k in KINDS)
        raise ConfigError(f"ignore {spec!r}: start it with one of {known} (like json:$.id)")
    kind, value = kind.strip().lower(), value.strip()
    if not value:
        raise ConfigError(f"ignore {spec!r}: name the {kind} part after {kind}:")
    if kind == "json":
        try:
            return kind, parse_path(value)
        except PathError as e:
            raise ConfigError(f"ignore {spec}: json path {value}: {e}") from None
    if kind == "header":
        if not _TOKEN.fullmatch(value):
            raise ConfigError(f"ignore {spec!r}: {value!r} is not a header name")
        return kind, value.lower().encode("latin-1")
    return kind, value.encode()
