"""The `pretenders` command: serve (and later record, replay, ca, env, cassette)."""

import asyncio
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from pretenders_proxy._version import __version__
from pretenders_proxy.errors import ConfigError, ListenError
from pretenders_proxy.settings import DEFAULT_CONFDIR, Settings, parse_port_range, parse_timeout

if TYPE_CHECKING:  # mitmproxy is imported only when a command needs it: --help stays quick
    from pretenders_proxy.server import Server

app = typer.Typer(
    name="pretenders",
    help="Record/replay proxy and mock server for the HTTP(S) and SMTP services your app uses.\n\n"
    "Example: pretenders serve   (then: curl -x http://127.0.0.1:8080 http://api.example.test/)",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

LOG_LEVELS = ["debug", "info", "warning", "error"]


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


Host = Annotated[str, typer.Option(help="Address every listener binds (loopback by default).")]
Port = Annotated[int, typer.Option(help="Control API, web UI and /mockhttp/ port (0: any free).")]
ProxyPort = Annotated[int, typer.Option(help="Forward proxy port, for HTTP_PROXY/HTTPS_PROXY.")]
SmtpPort = Annotated[int, typer.Option(help="SMTP capture port.")]
SmtpRange = Annotated[
    str,
    typer.Option(help="Ports for SMTP mocks created through the API (POST /smtp); 0: any free."),
]
SmtpMaxSize = Annotated[
    int, typer.Option(help="Largest message in bytes the SMTP listeners accept (552 beyond).")
]
StalePeriod = Annotated[
    float, typer.Option(help="Seconds between sweeps removing mocks idle past their timeout.")
]
MockTimeout = Annotated[
    str,
    typer.Option(help="Idle seconds before a mock created without a timeout expires, or FOREVER."),
]
Confdir = Annotated[
    Path, typer.Option(help="Where the CA certificate and key live (created on first start).")
]
LogLevel = Annotated[
    str, typer.Option(help="debug shows every connection; info is quiet on the hot path.")
]
MissStatus = Annotated[int, typer.Option(help="HTTP status answering a request nothing matched.")]
HistoryLimit = Annotated[int, typer.Option(help="Requests and mails kept per session.")]
Token = Annotated[
    str | None,
    typer.Option(
        envvar="PRETENDERS_TOKEN", help="Bearer token for the control API; required off loopback."
    ),
]


@app.command(
    epilog="Example: pretenders serve --port 8000 --proxy-port 8080   then   "
    "curl -x http://127.0.0.1:8080 http://api.example.test/hello"
)
def serve(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    proxy_port: ProxyPort = 8080,
    smtp_port: SmtpPort = 1025,
    smtp_port_range: SmtpRange = "8001-8014",
    smtp_max_size: SmtpMaxSize = 25 * 1024 * 1024,
    stale_period: StalePeriod = 60.0,
    mock_timeout: MockTimeout = "120",
    confdir: Confdir = DEFAULT_CONFDIR,
    log_level: LogLevel = "info",
    miss_status: MissStatus = 404,
    history_limit: HistoryLimit = 10_000,
    token: Token = None,
) -> None:
    """Mock mode: presets answer, anything else gets the miss reply (404, X-Pretenders-Miss)."""
    _setup_logging(log_level)
    try:
        settings = Settings(
            host=host,
            port=port,
            proxy_port=proxy_port,
            smtp_port=smtp_port,
            smtp_port_range=parse_port_range(smtp_port_range),
            smtp_max_size=smtp_max_size,
            confdir=confdir,
            stale_period=stale_period,
            mock_timeout=parse_timeout(mock_timeout),
            miss_status=miss_status,
            history_limit=history_limit,
            token=token,
        )
    except ConfigError as e:
        _fail(str(e))
    raise typer.Exit(asyncio.run(_run(settings)))


async def _run(settings: Settings) -> int:
    from mitmproxy import exceptions

    from pretenders_proxy.server import Server

    try:
        server = Server(settings)
        await server.start()
    except exceptions.OptionsError as e:
        _fail(str(e))
    except ListenError as e:
        _fail(str(e))
    _banner(server)
    await server.serve(on_stop=lambda: typer.echo("pretenders stopped", err=True))
    return 0


def _banner(server: "Server") -> None:
    listeners = server.runtime.listeners
    control = listeners["control"]
    lines = [
        f"pretenders {__version__} ready",
        f"  control API, UI, mocks  {control}/",
        f"  HTTP(S) proxy           {listeners['proxy']}",
        f"  SMTP capture            {listeners['smtp']}",
        f"  OpenAPI                 {control}/api/v1/openapi.json",
        f"  CA certificate          {server.ca_file}",
        "Ctrl-C stops it.",
    ]
    typer.echo("\n".join(lines))
    sys.stdout.flush()


def _setup_logging(level: str) -> None:
    if level.lower() not in LOG_LEVELS:
        _fail(f"--log-level {level!r} is not one of {', '.join(LOG_LEVELS)}")
    numeric = getattr(logging, level.upper())
    logging.basicConfig(
        level=numeric,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # mitmproxy and aiosmtpd ("mail.log") log every connection at info (aiosmtpd warns about
    # its own deprecations on every AUTH); keep the hot path quiet unless debugging.
    logging.getLogger("mitmproxy").setLevel(
        numeric if numeric <= logging.DEBUG else logging.WARNING
    )
    logging.getLogger("mail.log").setLevel(numeric if numeric <= logging.DEBUG else logging.ERROR)


def _fail(message: str) -> NoReturn:
    typer.echo(f"pretenders: {message}", err=True)
    raise typer.Exit(2)


def main() -> None:
    app()
