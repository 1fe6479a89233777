"""How a server option is declared once: a Settings field made with `option(...)` carries its
help, flag and mitmproxy name; `declared()` reads them back for the command line
(cli/flags.py) and for mitmproxy (proxy/options.py), which each turn them into their own form."""

import types
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

SERVER_COMMANDS = ("serve", "record", "replay")
_KEY = "pretenders.option"
_DERIVED = ""
"""Said for `flag` and `mitmproxy`: derived from the field's name."""


@dataclass(frozen=True, slots=True)
class Text:
    """How an option is written as text on the command line and in mitmproxy ("8001-8014")."""

    parse: Callable[[str], Any]
    show: Callable[[Any], str]


@dataclass(frozen=True, slots=True)
class Option:
    """One option: the Settings field `name` of type `kind`, its `default` and `help`.

    `flag` sets it on the `commands` named (None: no flag, the command itself sets it);
    `mitmproxy` is its option there: ours are `pretenders_*`, others mitmproxy's own, None none.
    `text`: written as text at both edges, parsed into the field's value.
    """

    help: str
    name: str = ""
    kind: Any = None
    default: Any = None
    flag: str | None = _DERIVED
    mitmproxy: str | None = _DERIVED
    envvar: str | None = None
    metavar: str | None = None
    commands: tuple[str, ...] = SERVER_COMMANDS
    text: Text | None = None

    @property
    def many(self) -> bool:
        """Repeatable: the field is a `tuple[item, ...]`."""
        args = get_args(self.kind)
        return get_origin(self.kind) is tuple and len(args) == 2 and args[1] is Ellipsis

    @property
    def optional(self) -> bool:
        """The field may be None (given as "" in mitmproxy)."""
        is_union = get_origin(self.kind) in (types.UnionType, Union)
        return is_union and type(None) in get_args(self.kind)

    @property
    def item(self) -> Any:
        """The type of one value: `int` of `int`, `Path` of `tuple[Path, ...]` or `Path | None`."""
        if self.many:
            return get_args(self.kind)[0]
        if self.optional:
            return next(arg for arg in get_args(self.kind) if arg is not type(None))
        return self.kind

    @property
    def choices(self) -> list[str] | None:
        item = self.item
        is_enum = isinstance(item, type) and issubclass(item, StrEnum)
        return [str(choice) for choice in item] if is_enum else None

    def read(self, value: object) -> Any:
        """The field's value from a flag's or a mitmproxy option's (None: the default)."""
        if value is None:
            return self.default
        if self.text is not None:
            return self.text.parse(str(value))
        if self.many:
            return tuple(self.item(one) for one in value)  # type: ignore[attr-defined]
        if self.optional and value == "":
            return None
        return self.item(value)

    def write(self, value: Any) -> Any:
        """The field's value as mitmproxy (and JSON) hold it: text, a number, a list of text."""
        if self.text is not None:
            return self.text.show(value)
        if self.many:
            return [str(one) for one in value]
        if value is None:
            return ""
        return str(value) if isinstance(value, Path | StrEnum) else value


def option(default: Any, help: str, **declaration: Any) -> Any:
    """A Settings field declaring its option (`Option`'s fields beyond name, kind, default)."""
    return field(default=default, metadata={_KEY: Option(help, **declaration)})


def declared(settings: type) -> tuple[Option, ...]:
    """The options of a Settings class, in field order."""
    if (known := _DECLARED.get(settings)) is None:
        known = _DECLARED[settings] = _read_declarations(settings)
    return known


_DECLARED: dict[type, tuple[Option, ...]] = {}


def _read_declarations(settings: type) -> tuple[Option, ...]:
    kinds = get_type_hints(settings)
    found = []
    for f in fields(settings):
        if (declaration := f.metadata.get(_KEY)) is None:
            continue
        flag, mitmproxy = declaration.flag, declaration.mitmproxy
        found.append(
            replace(
                declaration,
                name=f.name,
                kind=kinds[f.name],
                default=f.default,
                flag="--" + f.name.replace("_", "-") if flag == _DERIVED else flag,
                mitmproxy=f"pretenders_{f.name}" if mitmproxy == _DERIVED else mitmproxy,
            )
        )
    return tuple(found)
