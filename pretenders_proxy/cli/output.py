"""How every command ends on bad input: one line naming the problem on stderr, exit status 2."""

from typing import NoReturn

import typer


def fail(message: str) -> NoReturn:
    """Print `pretenders: message` on stderr and exit with status 2."""
    typer.echo(f"pretenders: {message}", err=True)
    raise typer.Exit(2)
