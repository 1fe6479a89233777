"""JSON paths, the subset of JSONPath pretenders takes everywhere (`--ignore json:...`, a
preset's `json` rule, near-miss lines, drift): `$` then `.name`, `['name']`, `[n]`, `[*]`, `.*`
and `..name`; parsing, showing and selecting what a path names in a parsed document."""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any, NamedTuple

_NAME = re.compile(r"[^.\[\]\s'\"*]+")
"""A name written after a dot: no dot, bracket, quote, star or space (others go in ['...'])."""


class Step(Enum):
    CHILD = "child"
    """`.name` or `['name']`: the member `name` of an object."""
    INDEX = "index"
    """`[n]`: item n of a list (from 0; negative from the end)."""
    ANY = "any"
    """`[*]` or `.*`: every member of an object or item of a list."""
    DESCEND = "descend"
    """`..name`: the member `name` of this object and of every object below it."""


class Part(NamedTuple):
    step: Step
    arg: str | int | None = None


@dataclass(frozen=True, slots=True)
class JsonPath:
    """A parsed path: `text` as given, `parts` what it selects, step by step."""

    text: str
    parts: tuple[Part, ...]


class PathError(ValueError):
    """A JSON path that does not parse: `problem` at `position` (from 1)."""

    def __init__(self, problem: str, position: int) -> None:
        super().__init__(f"{problem} at {position}")
        self.problem, self.position = problem, position


def parse_path(text: str) -> JsonPath:
    """`$` then `.name`, `['name']`, `[n]`, `[*]`, `.*` or `..name` steps (none: the whole
    document); PathError if not."""
    if not text.startswith("$"):
        raise PathError("a path starts with $", 1)
    parts: list[Part] = []
    at = 1
    while at < len(text):
        part, at = _step(text, at)
        parts.append(part)
    return JsonPath(text, tuple(parts))


def _step(text: str, at: int) -> tuple[Part, int]:
    if text.startswith("..", at):
        if text.startswith("[", at + 2):
            part, end = _bracket(text, at + 2)
            if part.step is not Step.CHILD:
                raise PathError("only a name may follow ..", at + 3)
            return Part(Step.DESCEND, part.arg), end
        name, end = _name(text, at + 2)
        return Part(Step.DESCEND, name), end
    if text[at] == ".":
        if text.startswith("*", at + 1):
            return Part(Step.ANY), at + 2
        name, end = _name(text, at + 1)
        return Part(Step.CHILD, name), end
    if text[at] == "[":
        return _bracket(text, at)
    raise PathError(f"expected . or [ but found {text[at]!r}", at + 1)


def _name(text: str, at: int) -> tuple[str, int]:
    found = _NAME.match(text, at)
    if found is None:
        raise PathError("expected a name (others can be written ['...'])", at + 1)
    return found.group(), found.end()


def _bracket(text: str, at: int) -> tuple[Part, int]:
    """The step of the bracket opening at `at`: [n], [*], ['name'] or ["name"]."""
    quote = text[at + 1 : at + 2]
    if quote in ("'", '"'):
        return _quoted(text, at, quote)
    close = text.find("]", at)
    if close < 0:
        raise PathError("unclosed bracket", at + 1)
    inside = text[at + 1 : close]
    if inside == "*":
        return Part(Step.ANY), close + 1
    if re.fullmatch(r"-?[0-9]{1,9}", inside):
        return Part(Step.INDEX, int(inside)), close + 1
    raise PathError("expected a number, * or a quoted name in brackets", at + 2)


def _quoted(text: str, at: int, quote: str) -> tuple[Part, int]:
    name: list[str] = []
    i = at + 2
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            name.append(text[i + 1])
            i += 2
        elif c == quote:
            if not text.startswith("]", i + 1):
                raise PathError("unclosed bracket", at + 1)
            return Part(Step.CHILD, "".join(name)), i + 2
        else:
            name.append(c)
            i += 1
    raise PathError("unclosed quote", at + 2)


def step_text(key: str | int) -> str:
    """One step of a path as written: `.name`, `['odd name']` or `[n]`."""
    if isinstance(key, int):
        return f"[{key}]"
    if _NAME.fullmatch(key):
        return f".{key}"
    escaped = key.replace("\\", "\\\\").replace("'", "\\'")
    return f"['{escaped}']"


def prune(document: object, paths: Iterable[JsonPath]) -> object:
    """`document` (freshly parsed: changed in place) without the parts `paths` select (all
    selected in the document as it was, then removed)."""
    chosen: list[tuple[Any, Any]] = []
    for path in paths:
        if not path.parts:
            return None  # `$`: the whole document is ignored
        chosen.extend(select(document, path.parts))
    lists: dict[int, tuple[list[Any], set[int]]] = {}
    for container, key in chosen:
        if isinstance(container, dict):
            container.pop(key, None)
        else:  # items go last, from the end: the indices of the others stay true
            lists.setdefault(id(container), (container, set()))[1].add(key)
    for items, indices in lists.values():
        for index in sorted(indices, reverse=True):
            del items[index]
    return document


def selected(document: object, path: JsonPath) -> list[Any]:
    """What `path` selects in `document`: `$` the document itself."""
    if not path.parts:
        return [document]
    return [container[key] for container, key in select(document, path.parts)]


def select(node: Any, parts: tuple[Part, ...]) -> Iterator[tuple[Any, Any]]:
    """(container, key) of each part of `node` that `parts` select."""
    first, rest = parts[0], parts[1:]
    for container, key in _one(node, first):
        if not rest:
            yield container, key
        else:
            yield from select(container[key], rest)


def _one(node: Any, part: Part) -> Iterator[tuple[Any, Any]]:
    step, arg = part
    if step is Step.CHILD:
        if isinstance(node, dict) and arg in node:
            yield node, arg
    elif step is Step.INDEX:
        if isinstance(node, list) and isinstance(arg, int) and -len(node) <= arg < len(node):
            yield node, arg % len(node)
    elif step is Step.ANY:
        if isinstance(node, dict | list):
            keys = list(node) if isinstance(node, dict) else range(len(node))
            yield from ((node, key) for key in keys)
    else:
        yield from _descend(node, arg)


def _descend(node: Any, name: Any) -> Iterator[tuple[Any, Any]]:
    """(object, name) for this node and every object below it holding `name`."""
    stack = [node]
    while stack:
        here = stack.pop()
        if isinstance(here, dict):
            if name in here:
                yield here, name
            stack.extend(reversed(here.values()))
        elif isinstance(here, list):
            stack.extend(reversed(here))
