"""`pretenders cassette ignore` and `cassette noise`: the matching a cassette carries in its
header (applied whenever it is replayed), and learning it from two recordings of one run."""

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from pretenders_proxy.cli.cassette import cassette_app
from pretenders_proxy.cli.output import fail

Cassette = Annotated[Path, typer.Argument(help="The cassette (its header is rewritten).")]


@cassette_app.command(
    epilog="Example: pretenders cassette ignore api.cassette --add 'json:$.meta.timestamp'"
)
def ignore(
    cassette: Cassette,
    add: Annotated[
        list[str] | None, typer.Option("--add", help="A SPEC to store (repeatable).")
    ] = None,
    remove: Annotated[
        list[str] | None, typer.Option("--remove", help="A stored SPEC to drop (repeatable).")
    ] = None,
    list_: Annotated[
        bool, typer.Option("--list", help="Print the stored SPECs, one per line.")
    ] = False,
    match_on: Annotated[
        str | None,
        typer.Option(help="Store the fields replay compares (method,path,...), or 'default'."),
    ] = None,
) -> None:
    """The parts of requests replay leaves out of matching whenever CASSETTE is replayed (its
    header's `ignore`, the --ignore grammar), and its own --match-on. A server reads them when
    a session switches to the cassette."""
    from pretenders_proxy.cassette import matching
    from pretenders_proxy.errors import CassetteError, ConfigError
    from pretenders_proxy.matching.fields import parse_match_on

    try:
        specs, fields = matching.stored(cassette)
        new_fields = fields
        if match_on is not None:
            default = match_on.strip().lower() == "default"
            new_fields = None if default else parse_match_on([match_on])
        new_specs = edited(specs, add or [], remove or [])
        if (new_specs, new_fields) != (list(specs), fields):
            matching.store(cassette, new_specs, new_fields)
            specs, fields = tuple(new_specs), new_fields
            typer.echo(f"{cassette}: {len(specs)} ignored parts stored", err=True)
    except (CassetteError, ConfigError) as e:
        fail(str(e))
    if list_ or (add, remove, match_on) == (None, None, None):
        for spec in specs:
            typer.echo(spec)
        if fields is not None:
            typer.echo(f"# match_on: {','.join(fields)}", err=True)


def edited(specs: Sequence[str], add: Sequence[str], remove: Sequence[str]) -> list[str]:
    """`specs` without `remove` and with `add` (each checked; ConfigError naming a bad one or
    one to remove that is not there)."""
    from pretenders_proxy.errors import ConfigError
    from pretenders_proxy.matching.ignore import parse_spec

    for spec in add:
        parse_spec(spec)
    kept = list(specs)
    for spec in remove:
        if spec.strip() not in kept:
            raise ConfigError(f"ignore {spec!r} is not stored in the cassette")
        kept.remove(spec.strip())
    return list(dict.fromkeys([*kept, *(spec.strip() for spec in add)]))


@cassette_app.command(epilog="Example: pretenders cassette noise monday.cassette tuesday.cassette")
def noise(
    a: Annotated[Path, typer.Argument(help="One recording of the run.")],
    b: Annotated[Path, typer.Argument(help="Another recording of the same run.")],
    write: Annotated[
        bool, typer.Option("--write", help="Store the parts found in A's header.")
    ] = False,
) -> None:
    """The request parts that differ between two recordings of the same run (exchanges paired
    in order by method, host and path), as `--ignore SPEC` lines on stdout; how often each
    differs, and unpaired exchanges, on stderr. Parts A's header ignores already are left out."""
    from pretenders_proxy.cassette import indexing, matching
    from pretenders_proxy.cassette import noise as learning
    from pretenders_proxy.errors import CassetteError, ConfigError
    from pretenders_proxy.matching.ignore import parse_ignore

    try:
        first, second = indexing.index(a), indexing.index(b)
        known = parse_ignore(matching.checked_specs(a, first.matching[0]))
        found = learning.compare(first.requests, second.requests, known)
        for text in found.ignore_lines():
            typer.echo(text)
        for text in found.notes():
            typer.echo(text, err=True)
        if not found.specs:
            typer.echo(f"# no request parts differ in {found.paired} paired exchanges", err=True)
        elif write:
            specs, fields = first.matching
            matching.store(a, edited(specs, found.sorted_specs(), []), fields)
            typer.echo(f"# stored in {a}'s header", err=True)
    except (CassetteError, ConfigError) as e:
        fail(str(e))
