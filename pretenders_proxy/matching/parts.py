"""The near-miss in the `--ignore` grammar: which body, query, header and form parts of a request
differ from a recorded (or expected) one, one `SPEC: this vs that` line each, ready to paste."""

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import cast

from pretenders_proxy.matching.canonical import Kind, Pairs, view
from pretenders_proxy.matching.ignore import NOTHING, Ignore
from pretenders_proxy.matching.matchers import MATCHERS
from pretenders_proxy.matching.subject import INVALID, Subject
from pretenders_proxy.model.exchange import REDACTED
from pretenders_proxy.model.http import Request, query_pairs
from pretenders_proxy.model.jsonpath import selected, step_text
from pretenders_proxy.model.preset import Rule

LISTED = 8
"""How many differing parts are listed before "and M more"."""
WIDTH = 24
"""How many characters of a value are shown."""
ABSENT = object()


def shorten(text: str, width: int = WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def show_json(value: object) -> str:
    if value is ABSENT:
        return "(absent)"
    return shorten(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def show_text(values: Sequence[bytes] | None) -> str:
    if not values:
        return "(absent)"
    return shorten(", ".join(value.decode("utf-8", "replace") for value in values))


def json_differences(
    got: object, wanted: object, *, subset: bool = False
) -> Iterator[tuple[tuple[str | int, ...], object, object]]:
    """(steps, got, wanted) where two documents differ, in document order; `subset`: members
    only `got` has do not count (a preset's json rule). Numbers compare by value; true is no 1."""
    stack: list[tuple[tuple[str | int, ...], object, object]] = [((), got, wanted)]
    while stack:
        steps, a, b = stack.pop()
        inner: list[tuple[tuple[str | int, ...], object, object]]
        if isinstance(a, dict) and isinstance(b, dict):
            keys = b if subset else {**a, **b}
            inner = [((*steps, k), a.get(k, ABSENT), b.get(k, ABSENT)) for k in keys]
        elif isinstance(a, list) and isinstance(b, list) and not (subset and len(a) != len(b)):
            inner = [((*steps, i), _item(a, i), _item(b, i)) for i in range(max(len(a), len(b)))]
        else:
            if not _same(a, b):
                yield steps, a, b
            continue
        stack.extend(reversed(inner))


def path_text(steps: tuple[str | int, ...], any_item: bool = False) -> str:
    """`$.items[3].id`, or with `any_item` `$.items[*].id`."""
    return "$" + "".join("[*]" if any_item and isinstance(k, int) else step_text(k) for k in steps)


def _item(items: list[object], i: int) -> object:
    return items[i] if i < len(items) else ABSENT


def _same(a: object, b: object) -> bool:
    return isinstance(a, bool) == isinstance(b, bool) and a == b


type Part = tuple[str, str]
"""One differing part: its SPEC (as --ignore takes it) and `this vs that`."""


def line(part: Part) -> str:
    return f"{part[0]}: {part[1]}"


def json_lines(got: object, wanted: object, *, subset: bool = False) -> list[str]:
    """A line per differing path; paths that differ only in list positions make one `[*]` line
    (a timestamp in every item is one thing to ignore)."""
    return list(map(line, json_parts(got, wanted, subset=subset)))


def json_parts(got: object, wanted: object, *, subset: bool = False) -> list[Part]:
    """As json_lines, each line as (SPEC, how it differs)."""
    alike: dict[str, list[tuple[tuple[str | int, ...], object, object]]] = {}
    for found in json_differences(got, wanted, subset=subset):
        alike.setdefault(path_text(found[0], any_item=True), []).append(found)
    found_parts = []
    for any_item, group in alike.items():
        steps, a, b = group[0]
        if len(group) == 1:
            found_parts.append((f"json:{path_text(steps)}", f"{show_json(a)} vs {show_json(b)}"))
        else:
            more = f"(and {len(group) - 1} more items)"
            found_parts.append((f"json:{any_item}", f"{show_json(a)} vs {show_json(b)} {more}"))
    return found_parts


def named_lines(
    kind: str, got: Mapping[bytes, Sequence[bytes]], wanted: Mapping[bytes, Sequence[bytes]]
) -> list[str]:
    """`kind:name: got vs wanted` for each name whose values differ, in name order."""
    return list(map(line, named_parts(kind, got, wanted)))


def named_parts(
    kind: str, got: Mapping[bytes, Sequence[bytes]], wanted: Mapping[bytes, Sequence[bytes]]
) -> list[Part]:
    """As named_lines, each line as (SPEC, how it differs)."""
    return [
        (
            f"{kind}:{name.decode('utf-8', 'replace')}",
            f"{show_text(got.get(name))} vs {show_text(wanted.get(name))}",
        )
        for name in sorted({*got, *wanted})
        if list(got.get(name, ())) != list(wanted.get(name, ()))
    ]


def grouped(pairs: Iterable[tuple[bytes, bytes]]) -> dict[bytes, list[bytes]]:
    found: dict[bytes, list[bytes]] = {}
    for name, value in pairs:
        found.setdefault(name, []).append(value)
    return found


def body_lines(got: Request, recorded: Request, ignore: Ignore = NOTHING) -> list[str]:
    """The JSON paths or form fields where the bodies differ; none when either is bytes."""
    return list(map(line, body_parts(got, recorded, ignore)))


def body_parts(got: Request, recorded: Request, ignore: Ignore = NOTHING) -> list[Part]:
    """As body_lines, each line as (SPEC, how it differs)."""
    got_kind, got_body = view(got, ignore)
    recorded_kind, recorded_body = view(recorded, ignore)
    if got_kind is not recorded_kind or got_kind is Kind.BYTES:
        return []
    if got_kind is Kind.JSON:
        try:
            return json_parts(got_body, recorded_body)
        except RecursionError:
            return []
    mine, theirs = cast(Pairs, got_body), cast(Pairs, recorded_body)
    return named_parts("form", grouped(mine), grouped(theirs))


def query_lines(
    got: Request, recorded: Request, ignore: Ignore = NOTHING, redacted: Iterable[bytes] = ()
) -> list[str]:
    """The query parameters whose values differ (any order of their values); redacted ones
    and ignored ones are no difference."""
    return list(map(line, query_parts(got, recorded, ignore, redacted)))


def query_parts(
    got: Request, recorded: Request, ignore: Ignore = NOTHING, redacted: Iterable[bytes] = ()
) -> list[Part]:
    """As query_lines, each line as (SPEC, how it differs)."""
    skip = {*ignore.query, *redacted}
    mine, theirs = grouped(query_pairs(got.query)), grouped(query_pairs(recorded.query))
    for name, values in theirs.items():
        if REDACTED in values:
            skip.add(name)
    for name in skip:
        mine.pop(name, None)
        theirs.pop(name, None)
    return named_parts(
        "query", {k: sorted(v) for k, v in mine.items()}, {k: sorted(v) for k, v in theirs.items()}
    )


def listed(lines: Sequence[str], limit: int = LISTED) -> list[str]:
    """The first `limit` lines, then "... and M more" for the rest."""
    if len(lines) <= limit:
        return list(lines)
    return [*lines[:limit], f"... and {len(lines) - limit} more"]


def paste_block(
    lines: Sequence[str], against: str, tail: str = ", as --ignore takes them"
) -> list[str]:
    """The differing parts under a heading saying what they are (nothing when none)."""
    if not lines:
        return []
    heading = f"Values that differ (this request vs {against}){tail}:"
    return [heading, *(f"  {line}" for line in listed(lines))]


def rule_lines(rule: Rule, subject: Subject) -> list[str]:
    """As MatchSpec.parts, for a preset rule (header values, json, form fields): none unless
    those are all that fail."""
    found: list[str] = []
    for name, check in MATCHERS.items():
        if check(rule, subject) is None:
            continue
        lines = _RULE_LINES[name](rule, subject) if name in _RULE_LINES else []
        if not lines:
            return []
        found += lines
    return found


def _header_lines(rule: Rule, subject: Subject) -> list[str]:
    return [
        f"header:{name}: {_show(subject.header(name))} vs {_show(value)}"
        for name, value in rule.headers.items()
        if subject.header(name) != value
    ]


def _json_lines(rule: Rule, subject: Subject) -> list[str]:
    if subject.json is INVALID:
        return []
    try:
        whole = rule.json_whole
        lines = [] if whole is None else json_lines(subject.json, whole, subset=True)
    except RecursionError:
        return []
    for path, wanted in rule.json_paths:
        found = selected(subject.json, path)
        if any(next(json_differences(v, wanted, subset=True), None) is None for v in found):
            continue
        if len(found) == 1:
            shown = show_json(found[0])
        else:
            shown = "(absent)" if not found else f"none of {len(found)} values"
        lines.append(f"json:{path.text}: {shown} vs {show_json(wanted)}")
    return lines


def _form_lines(rule: Rule, subject: Subject) -> list[str]:
    wanted, got = dict(rule.data or {}), subject.form
    return [
        f"form:{name}: {_show(got.get(name))} vs {_show(wanted.get(name))}"
        for name in sorted({*got, *wanted})
        if got.get(name) != wanted.get(name)
    ]


def _show(text: str | None) -> str:
    return "(absent)" if text is None else shorten(text)


_RULE_LINES = {"headers": _header_lines, "json": _json_lines, "data": _form_lines}
