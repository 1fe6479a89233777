"""`pretenders ca path|show` and `pretenders env`: trust the pretenders CA, use the proxy."""

import os
from pathlib import Path
from typing import Annotated

import typer

from pretenders_proxy.certs import CA_CERT, secure_keys
from pretenders_proxy.cli.output import fail
from pretenders_proxy.cli.shellenv import Shell, render
from pretenders_proxy.environment.files import client_files
from pretenders_proxy.environment.variables import no_proxy, variables
from pretenders_proxy.errors import APIError
from pretenders_proxy.server.binding import netloc
from pretenders_proxy.settings import Settings
from pretenders_proxy.store.sessions import DEFAULT_SESSION

ca_app = typer.Typer(
    name="ca", help="The pretenders CA certificate (created on first use).", no_args_is_help=True
)
Confdir = Annotated[Path, typer.Option(help="Where the CA certificate and key live.")]
Token = Annotated[
    str | None,
    typer.Option(envvar="PRETENDERS_TOKEN", help="The server's control API token (--token)."),
]
DEFAULTS = Settings()
"""Where a server started without flags listens and keeps its CA."""
ENV_EPILOG = 'Example: eval "$(pretenders env)"   or   pretenders env --shell fish | source'


def _ca_file(confdir: Path) -> Path:
    """The CA certificate in `confdir`, creating the CA (as the proxy would) if there is none."""
    from mitmproxy import certs  # only the certificate store: the rest of mitmproxy is slow to load

    where = confdir.expanduser()
    certs.CertStore.from_store(where, "mitmproxy", 2048)
    secure_keys(where)
    return where / CA_CERT


@ca_app.command()
def path(confdir: Confdir = DEFAULTS.confdir) -> None:
    """Print the path of the CA certificate (PEM)."""
    typer.echo(str(_ca_file(confdir)))


@ca_app.command()
def show(confdir: Confdir = DEFAULTS.confdir) -> None:
    """Print the CA certificate (PEM), to install it where an app looks for trusted CAs."""
    typer.echo(_ca_file(confdir).read_text(), nl=False)


def env(
    shell: Annotated[Shell, typer.Option(help="How to write the lines.")] = Shell.BASH,
    host: Annotated[str, typer.Option(help="The address pretenders listens on.")] = DEFAULTS.host,
    port: Annotated[
        int, typer.Option(help="The control API port (kept out of the proxy).")
    ] = DEFAULTS.port,
    proxy_port: Annotated[int, typer.Option(help="The forward proxy port.")] = DEFAULTS.proxy_port,
    session: Annotated[
        str | None,
        typer.Option(
            help="Send the traffic to this session, through a proxy port of its own that the "
            "running server opens (created if needed)."
        ),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(help="The control URL of the running server (instead of --host/--port)."),
    ] = None,
    token: Token = None,
    confdir: Confdir = DEFAULTS.confdir,
) -> None:
    """Print what sends an app through pretenders in any runtime: HTTP(S)_PROXY, NO_PROXY, the
    CA variables of common tools (system roots plus our CA), Node's preload, Java's options."""
    if session is None and url is None:  # the default session: no server needed yet
        files = client_files(_ca_file(confdir).parent)
        proxy = f"http://{netloc(host, proxy_port)}"
        pairs = variables(proxy, no_proxy(host, port), files, dict(os.environ))
    else:
        from pretenders_proxy.cli.appenv import Control, connect  # httpx: only when asked for

        try:
            control = Control(url or f"http://{netloc(host, port)}", token)
            # no session named: `default`'s (a fresh one would outlive the lines printed)
            destination = connect(control, session or DEFAULT_SESSION, confdir)
        except APIError as e:
            fail(e.message)
        pairs = destination.environment(dict(os.environ))
    typer.echo(render(pairs, shell), nl=False)
