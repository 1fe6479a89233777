"""Drift: how a live response differs from the recorded one (status, content type, the set of
header names, the JSON structure, or with `values` the JSON values), ignored parts left out;
each difference a `part: recorded vs live` line in the `--ignore` grammar. Pure (issue 17)."""

from collections.abc import Iterable
from dataclasses import dataclass

from pretenders_proxy.matching.canonical import Kind, body_kind, parse_json
from pretenders_proxy.matching.ignore import NOTHING, Ignore
from pretenders_proxy.matching.parts import ABSENT, json_differences, path_text, show_json
from pretenders_proxy.matching.subject import INVALID, decode_content
from pretenders_proxy.model.http import Headers, Response, header

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods replayed against the live upstream without `--unsafe`: they change nothing there."""
VOLATILE_HEADERS = frozenset(
    {
        "age", "alt-svc", "cf-cache-status", "cf-ray", "connection", "content-length", "date",
        "etag", "expires", "keep-alive", "last-modified", "nel", "report-to", "server-timing",
        "set-cookie", "transfer-encoding", "via", "x-amz-cf-id", "x-amz-cf-pop",
        "x-amzn-requestid", "x-amzn-trace-id", "x-cache", "x-cache-hits", "x-correlation-id",
        "x-request-id", "x-runtime", "x-served-by", "x-timer", "x-trace-id",
    }
)  # fmt: skip
"""Header names whose presence comes and goes between two answers to one request (caches,
tracing, cookies, framing): left out of the header comparison."""
NUMBERS = frozenset({"int", "float"})
"""JSON has one number type: 3 and 3.5 are not a change of structure."""


@dataclass(frozen=True, slots=True)
class Difference:
    """One drifted part: `part` names it (`status`, `content-type`, `header:x-new`,
    `json:$.user.id`, `body`), `recorded` and `live` say what each had."""

    part: str
    recorded: str
    live: str

    @property
    def line(self) -> str:
        if self.part.startswith("header:"):
            change = "added" if self.recorded == "(absent)" else "removed"
            return f"header {change}: {self.part.removeprefix('header:')}"
        return f"{self.part}: {self.recorded} vs {self.live}"


def is_safe(method: str) -> bool:
    return method.upper() in SAFE_METHODS


def compare(
    recorded: Response,
    live: Response,
    ignore: Ignore = NOTHING,
    *,
    values: bool = False,
    volatile: Iterable[str] = VOLATILE_HEADERS,
) -> list[Difference]:
    """What drifted from `recorded` to `live`; none when they agree."""
    found = []
    if recorded.status != live.status:
        found.append(Difference("status", str(recorded.status), str(live.status)))
    before, after = media_type(recorded.headers), media_type(live.headers)
    if before != after:
        found.append(Difference("content-type", before or "(none)", after or "(none)"))
    skip = {*volatile, *(name.decode("latin-1") for name in ignore.headers)}
    found += header_differences(recorded.headers, live.headers, skip)
    if before == after:
        found += body_differences(recorded, live, ignore, values)
    return found


def media_type(headers: Headers) -> str:
    """The Content-Type without its parameters (a boundary or charset), lower case."""
    return (header(headers, "content-type") or "").partition(";")[0].strip().lower()


def header_differences(recorded: Headers, live: Headers, skip: Iterable[str]) -> list[Difference]:
    """A header name only one side has (names only: values are too volatile), by name."""
    left = {name.decode("latin-1").lower() for name, _ in recorded} - set(skip)
    right = {name.decode("latin-1").lower() for name, _ in live} - set(skip)
    return [
        Difference(f"header:{name}", _presence(name in left), _presence(name in right))
        for name in sorted(left ^ right)
    ]


def _presence(present: bool) -> str:
    return "present" if present else "(absent)"


def body_differences(
    recorded: Response, live: Response, ignore: Ignore, values: bool
) -> list[Difference]:
    """JSON bodies: their structure (keys and types), or with `values` every value; other
    bodies only with `values`, byte for byte (decoded)."""
    before, after = _document(recorded, ignore), _document(live, ignore)
    if before is INVALID or after is INVALID:
        if before is INVALID and after is INVALID:
            return _bytes_difference(recorded, live) if values else []
        return [Difference("body", _kind_of(before), _kind_of(after))]
    if not values:
        before, after = shape(before), shape(after)
    found = []
    for steps, was, now in json_differences(before, after):
        if not values and _is_number_type(was) and _is_number_type(now):
            continue
        show = _show_type if not values else show_json
        path = path_text(steps, any_item=not values)
        found.append(Difference(f"json:{path}", show(was), show(now)))
    return found


def _kind_of(document: object) -> str:
    return "not JSON" if document is INVALID else "JSON"


def _is_number_type(shaped: object) -> bool:
    return isinstance(shaped, str) and shaped in NUMBERS


def _document(response: Response, ignore: Ignore) -> object:
    """The response's JSON document, ignored paths left out; INVALID if it is not JSON."""
    kind, encoding = body_kind(response.headers)
    if kind is not Kind.JSON or not response.body:
        return INVALID
    return parse_json(decode_content(response.body, encoding), ignore)


def _bytes_difference(recorded: Response, live: Response) -> list[Difference]:
    before = decode_content(recorded.body, header(recorded.headers, "content-encoding"))
    after = decode_content(live.body, header(live.headers, "content-encoding"))
    if before == after:
        return []
    return [Difference("body", f"{len(before)} bytes", f"{len(after)} bytes (different)")]


def shape(document: object) -> object:
    """The structure of a document: objects keep their keys, values become their type's name,
    and a list becomes one item, the merged shape of all of its items (its length is data, not
    structure); an empty list says nothing of its items, so it matches any list."""
    if isinstance(document, dict):
        return {key: shape(value) for key, value in document.items()}
    if isinstance(document, list):
        if not document:
            return ANY_LIST
        merged = shape(document[0])
        for item in document[1:]:
            merged = _merge(merged, shape(item))
        return [merged]
    return _type_name(document)


def _merge(a: object, b: object) -> object:
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return a  # the first item's type wins: a list of mixed types is rare in an API
    merged = dict(a)
    for key, value in b.items():
        merged[key] = _merge(a[key], value) if key in a else value
    return merged


class _AnyList:
    """The shape of an empty list: equal to any list's shape, or to another empty one."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, list | _AnyList)

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "list"


ANY_LIST = _AnyList()


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "str" if isinstance(value, str) else type(value).__name__


def _show_type(shaped: object) -> str:
    """A part's type as the report says it: int, str, object, list, (absent)."""
    if shaped is ABSENT:
        return "(absent)"
    if isinstance(shaped, dict):
        return "object"
    if isinstance(shaped, list | _AnyList):
        return "list"
    return str(shaped)
