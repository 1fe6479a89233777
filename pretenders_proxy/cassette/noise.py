"""Learning the noise: the request parts that differ between two recordings of the same run,
as `--ignore` SPECs (the near-miss grammar of matching/parts.py), with how often each differs.

Exchanges are paired in order by method, host and path: the n-th occurrence in one with the
n-th in the other.
"""

import shlex
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pretenders_proxy.matching import parts
from pretenders_proxy.matching.canonical import body_key
from pretenders_proxy.matching.ignore import NOTHING, Ignore
from pretenders_proxy.model.exchange import REDACTED
from pretenders_proxy.model.http import Request

TRANSPORT = frozenset(
    {
        b"connection", b"keep-alive", b"proxy-connection", b"proxy-authorization", b"te",
        b"trailer", b"transfer-encoding", b"upgrade", b"expect", b"host", b"content-length",
    }
)  # fmt: skip
"""Request headers never offered as noise: hop-by-hop and transport ones, and Content-Length
(it differs whenever the body does: the body's parts are what to ignore)."""

type Key = tuple[str, str, bytes]


@dataclass(slots=True)
class Noise:
    """What comparing two recordings found."""

    paired: int = 0
    specs: Counter[str] = field(default_factory=Counter)
    """Each differing part's SPEC, and in how many paired exchanges it differs."""
    unpaired: list[str] = field(default_factory=list)
    """`METHOD host/path: n in A, m in B` for each request not in both as often."""
    opaque: list[str] = field(default_factory=list)
    """Paired exchanges whose bodies differ as bytes (not JSON or a form): no SPEC covers it."""

    def sorted_specs(self) -> list[str]:
        return sorted(self.specs)

    def ignore_lines(self) -> list[str]:
        """`--ignore SPEC` lines, quoted for a shell: pasteable as they are."""
        return [f"--ignore {shlex.quote(spec)}" for spec in self.sorted_specs()]

    def notes(self) -> list[str]:
        """What the lines do not say: counts, unpaired and opaque exchanges."""
        counted = [
            f"# {spec}: differs in {self.specs[spec]} of {self.paired} paired exchanges"
            for spec in self.sorted_specs()
        ]
        unpaired = [f"# unpaired: {line}" for line in self.unpaired]
        opaque = [f"# bodies differ as bytes (no SPEC covers them): {o}" for o in self.opaque]
        return [*counted, *unpaired, *opaque]


def compare(a: Sequence[Request], b: Sequence[Request], ignore: Ignore = NOTHING) -> Noise:
    """The parts of `b`'s requests that differ from `a`'s paired ones, leaving out `ignore`."""
    found = Noise()
    groups_a, groups_b = _grouped(a), _grouped(b)
    for key in dict.fromkeys([*groups_a, *groups_b]):
        mine, theirs = groups_a.get(key, []), groups_b.get(key, [])
        if len(mine) != len(theirs):
            found.unpaired.append(f"{_shown(key)}: {len(mine)} in A, {len(theirs)} in B")
        for n, (old, new) in enumerate(zip(mine, theirs, strict=False), start=1):
            found.paired += 1
            specs, opaque = differing(old, new, ignore)
            found.specs.update(specs)
            if opaque:
                found.opaque.append(f"{_shown(key)} #{n}")
    return found


def differing(old: Request, new: Request, ignore: Ignore = NOTHING) -> tuple[set[str], bool]:
    """The SPECs of the parts where `new` differs from `old` (query, body, headers), and
    whether their bodies differ in a way no SPEC names (bytes)."""
    specs = {spec for spec, _ in parts.query_parts(new, old, ignore)}
    opaque = False
    if body_key(old, ignore) != body_key(new, ignore):
        body = parts.body_parts(new, old, ignore)
        specs.update(spec for spec, _ in body)
        opaque = not body
    headers_old, headers_new = _headers(old, ignore), _headers(new, ignore)
    specs.update(spec for spec, _ in parts.named_parts("header", headers_new, headers_old))
    return specs, opaque


def _headers(request: Request, ignore: Ignore) -> dict[bytes, list[bytes]]:
    """The noise candidates among a request's headers, by name in lower case (which SPECs take
    in any case), redacted ones left out."""
    found: dict[bytes, list[bytes]] = {}
    for name, value in request.headers:
        lower = name.lower()
        if lower not in TRANSPORT and lower not in ignore.headers:
            found.setdefault(_spelling(lower), []).append(value)
    return {n: v for n, v in found.items() if REDACTED not in v}


_SPELLINGS: dict[bytes, bytes] = {}


def _spelling(lower: bytes) -> bytes:
    """`x-request-id` as headers are usually written, `X-Request-Id` (a SPEC's case is free)."""
    if (known := _SPELLINGS.get(lower)) is None:
        known = _SPELLINGS[lower] = b"-".join(p[:1].upper() + p[1:] for p in lower.split(b"-"))
    return known


def _grouped(requests: Iterable[Request]) -> dict[Key, list[Request]]:
    found: dict[Key, list[Request]] = {}
    for request in requests:
        found.setdefault((request.method, request.host.lower(), request.path), []).append(request)
    return found


def _shown(key: Key) -> str:
    method, host, path = key
    return f"{method} {host}{path.decode('latin-1')}"


def report(path: str, old: Sequence[Request], new: Sequence[Request], ignore: Ignore) -> str | None:
    """What recording `path` again found to differ from its old recording (None: nothing), as a
    warning ready to act on."""
    found = compare(old, new, ignore)
    if not found.specs and not found.opaque:
        return None
    said = []
    if found.specs:
        counted = [
            f"{spec} ({found.specs[spec]} of {found.paired})" for spec in found.sorted_specs()
        ]
        adding = " ".join(f"--add {shlex.quote(spec)}" for spec in found.sorted_specs())
        said.append(
            f"its requests differ from the old recording in {', '.join(counted)}; replay "
            f"ignores them once stored: pretenders cassette ignore {path} {adding}"
        )
    if found.opaque:
        said.append(f"bodies that differ as bytes: {', '.join(parts.listed(found.opaque))}")
    if found.unpaired:
        said.append(f"unpaired: {', '.join(parts.listed(found.unpaired))}")
    return f"{path} was recorded again: " + "; ".join(said)
