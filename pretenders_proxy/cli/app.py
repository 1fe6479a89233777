"""The `pretenders` command: the typer app and its entry point.

Each group of commands lives in a module of its own (serve, cassette, trust); mitmproxy is
imported only when a command needs it, so `pretenders --help` stays quick.
"""

import sys
from typing import Annotated

import typer

from pretenders_proxy._version import __version__
from pretenders_proxy.cli import cassette_matching, drift, run, serve  # noqa: F401 (cassette_matching: commands)
from pretenders_proxy.cli.cassette import cassette_app
from pretenders_proxy.cli.trust import ENV_EPILOG, ca_app, env
from pretenders_proxy.server import startup

app = typer.Typer(
    name="pretenders",
    help="Record/replay proxy and mock server for the HTTP(S) and SMTP services your app uses.\n\n"
    "Example: pretenders serve   (then: curl -x http://127.0.0.1:8080 http://api.example.test/)",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pretenders {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Record/replay proxy and mock server for HTTP(S) and SMTP."""


serve.add_commands(app)
app.add_typer(ca_app)
cassette_app.command(epilog=drift.EPILOG)(drift.drift)
app.add_typer(cassette_app)  # with cassette_matching's commands (ignore, noise)
app.command(epilog=ENV_EPILOG)(env)
# everything after CMD is CMD's: its own options are never taken for ours
app.command(
    epilog=run.EPILOG,
    context_settings={"allow_interspersed_args": False, "ignore_unknown_options": True},
)(run.run)


def main() -> None:
    """The entry point: a server process loads only the mitmproxy addons it uses and leaves out
    mitmproxy's per-message type checks (pretenders_proxy.server.startup); others just run."""
    if startup.is_server(sys.orig_argv):
        startup.addons_one_by_one()
        startup.skip_message_typechecks()
    app()
