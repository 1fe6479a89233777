"""An index of rule regexes by their literal prefix, so lookups skip rules that cannot match.

`re.match(pattern, line)` can only succeed when `line` starts with one of the pattern's literal
prefixes ("GET /items/4" for `GET /items/4\\d`, "PUT " and "POST " for `(PUT|POST) /x`), so
presets are bucketed by those prefixes and a lookup probes the line's prefixes of the lengths
that occur. Patterns with no literal start (`.*`, `(?i)get`) go in the "" bucket, always probed.
A pattern that is all literal up to an end anchor (`GET /items/42$`) can match only whole lines
it names, so it is found by the line itself: one probe, however many such rules there are.
"""

import re
from re import _constants as sre  # type: ignore[attr-defined]  # the parser's, stable since 3.11
from re import _parser as sre_parse  # type: ignore[attr-defined]

_MAX_PREFIXES = 32


def literal_prefixes(pattern: str) -> frozenset[str]:
    """Every string that a line matching `pattern` must start with one of."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return frozenset({""})
    if parsed.state.flags & sre.SRE_FLAG_IGNORECASE:
        return frozenset({""})
    prefixes, _ = _scan(list(parsed))
    return frozenset(prefixes)


def exact_lines(pattern: str) -> frozenset[str] | None:
    """Every line `pattern` matches when it is literal up to a closing `$` or `\\Z` (`$` also
    matches before a final newline), else None: it may match lines that only start alike."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    flags = parsed.state.flags
    items = list(parsed)
    if flags & (sre.SRE_FLAG_IGNORECASE | sre.SRE_FLAG_MULTILINE) or not items:
        return None
    op, end = items[-1]
    if op is not sre.AT or end not in (sre.AT_END, sre.AT_END_STRING):
        return None
    lines, complete = _scan(items[:-1])
    if not complete:
        return None
    if end is sre.AT_END:
        lines |= {line + "\n" for line in lines}
    return frozenset(lines)


def _scan(items: list[tuple[object, object]]) -> tuple[set[str], bool]:
    """The literal prefixes of a parsed sequence, and whether the whole sequence was literal."""
    prefixes = {""}
    for op, arg in items:
        if op is sre.AT and arg is sre.AT_BEGINNING:
            continue
        alternatives, complete = _alternatives(op, arg)
        if alternatives is None:
            return prefixes, False
        grown = {p + a for p in prefixes for a in alternatives}
        if len(grown) > _MAX_PREFIXES:
            return prefixes, False
        prefixes = grown
        if not complete:
            return prefixes, False
    return prefixes, True


def _alternatives(op: object, arg: object) -> tuple[set[str] | None, bool]:
    """What one parsed item can start with, or None when it is not literal at its start."""
    if op is sre.LITERAL and isinstance(arg, int):
        return {chr(arg)}, True
    if op is sre.IN and isinstance(arg, list) and all(o is sre.LITERAL for o, _ in arg):
        return {chr(c) for _, c in arg}, True
    if op is sre.SUBPATTERN and isinstance(arg, tuple):
        _, add_flags, _, sub = arg
        if add_flags & sre.SRE_FLAG_IGNORECASE:
            return None, False
        return _scan(list(sub))
    if op is sre.BRANCH and isinstance(arg, tuple):
        union: set[str] = set()
        complete = True
        for branch in arg[1]:
            found, whole = _scan(list(branch))
            union |= found
            complete = complete and whole
        return union, complete
    return None, False


class PrefixIndex[T]:
    """Items keyed by a sequence number, findable by the literal prefixes of their pattern (or
    by the whole lines it matches, when it names them all). Sequence numbers grow as items are
    added: a bucket keeps them in order."""

    __slots__ = ("_buckets", "_exact", "_lengths", "_where")

    def __init__(self) -> None:
        self._buckets: dict[str, dict[int, T]] = {}
        self._exact: dict[str, dict[int, T]] = {}  # a whole line -> the items matching only it
        self._lengths: dict[int, int] = {}  # prefix length -> how many buckets have it
        self._where: dict[int, tuple[frozenset[str], bool]] = {}

    def add(self, seq: int, pattern: str, item: T) -> None:
        lines = exact_lines(pattern)
        if lines is not None:
            self._where[seq] = (lines, True)
            for line in lines:
                self._exact.setdefault(line, {})[seq] = item
            return
        prefixes = literal_prefixes(pattern)
        self._where[seq] = (prefixes, False)
        for prefix in prefixes:
            bucket = self._buckets.get(prefix)
            if bucket is None:
                bucket = self._buckets[prefix] = {}
                self._lengths[len(prefix)] = self._lengths.get(len(prefix), 0) + 1
            bucket[seq] = item

    def remove(self, seq: int) -> None:
        keys, exact = self._where.pop(seq, (frozenset(), False))
        for key in keys:
            buckets = self._exact if exact else self._buckets
            bucket = buckets[key]
            del bucket[seq]
            if not bucket:
                del buckets[key]
                if not exact:
                    self._forget_length(len(key))

    def _forget_length(self, length: int) -> None:
        if self._lengths[length] == 1:
            del self._lengths[length]
        else:
            self._lengths[length] -= 1

    def candidates(self, line: str) -> list[T]:
        """The items whose pattern could match `line`, in sequence (creation) order."""
        hit = [bucket] if (bucket := self._exact.get(line)) else []
        for length in self._lengths:
            if length <= len(line) and (bucket := self._buckets.get(line[:length])):
                hit.append(bucket)
        if len(hit) == 1:
            return list(hit[0].values())
        found: dict[int, T] = {}
        for bucket in hit:
            found.update(bucket)
        return [found[seq] for seq in sorted(found)]
