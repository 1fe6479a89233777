"""The flags of `serve`, `record` and `replay`, made from the options Settings declares."""

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from pretenders_proxy.options import Option, declared
from pretenders_proxy.settings import Settings


@dataclass(frozen=True)
class Flags:
    """The flag values a command was given, as typer parsed them (by Settings field name)."""

    settings_type: type[Settings]
    values: Mapping[str, Any]

    def settings(self, **fixed: Any) -> Settings:
        """The settings these flags say, with `fixed` fields the command sets itself (its mode,
        its cassettes); ConfigError naming a bad value."""
        rows = [o for o in declared(self.settings_type) if o.name in self.values]
        return self.settings_type(**{o.name: o.read(self.values[o.name]) for o in rows} | fixed)


def server_command(
    command: Callable[..., None], settings: type[Settings] = Settings
) -> Callable[..., None]:
    """`command` with a flag for each option that has one on it; it receives them as
    `flags: Flags`, after its own parameters (the cassettes)."""
    name = command.__name__
    # The flags only this command has come first, as its own (replay's --on-miss, ...).
    rows = sorted(
        (o for o in declared(settings) if o.flag and name in o.commands),
        key=lambda o: len(o.commands),
    )
    own = [p for p in inspect.signature(command).parameters.values() if p.name != "flags"]

    def run(**values: Any) -> None:
        flags = Flags(settings, {o.name: values.pop(o.name) for o in rows})
        command(flags=flags, **values)

    run.__name__, run.__doc__ = name, command.__doc__
    run.__signature__ = inspect.Signature(own + [_parameter(o) for o in rows])  # type: ignore[attr-defined]
    return run


def _parameter(o: Option) -> inspect.Parameter:
    """The typer parameter of an option's flag: text as text, repeatable ones as lists."""
    kind, default = o.kind, o.default
    if o.text is not None:
        kind, default = str, o.text.show(o.default)
    elif o.many:
        kind, default = list[o.item] | None, None  # type: ignore[name-defined]
    # typer names a flag after its parameter (and gives booleans their --no- form) unless told
    names = [] if o.flag in (None, "--" + o.name.replace("_", "-")) else [o.flag]
    flag = typer.Option(*names, envvar=o.envvar, metavar=o.metavar, help=o.help)
    return inspect.Parameter(
        o.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=Annotated[kind, flag]
    )
