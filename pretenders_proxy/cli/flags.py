"""The flags `serve`, `record` and `replay` share, declared once and given to each command."""

import inspect
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated, Any

import typer

from pretenders_proxy.cli.reverse import parse_reverse
from pretenders_proxy.settings import (
    DEFAULT_CONFDIR,
    Settings,
    parse_port_range,
    parse_size,
    parse_timeout,
)

Option = typer.Option


@dataclass(frozen=True)
class ServerFlags:
    """Where pretenders listens, how it answers misses, what it trusts and redacts."""

    host: Annotated[str, Option(help="Address every listener binds (loopback by default).")] = (
        "127.0.0.1"
    )
    port: Annotated[int, Option(help="Control API, web UI and /mockhttp/ port (0: any free).")] = (
        8000
    )
    proxy_port: Annotated[int, Option(help="Forward proxy port, for HTTP_PROXY/HTTPS_PROXY.")] = (
        8080
    )
    smtp_port: Annotated[int, Option(help="SMTP capture port.")] = 1025
    smtp_port_range: Annotated[
        str, Option(help="Ports for SMTP mocks created through the API (POST /smtp); 0: any free.")
    ] = "8001-8014"
    smtp_max_size: Annotated[
        int, Option(help="Largest message in bytes the SMTP listeners accept (552 beyond).")
    ] = 25 * 1024 * 1024
    reverse: Annotated[
        list[str] | None,
        Option(
            metavar="URL=PORT",
            help="A reverse listener on PORT sending everything to URL, for apps that cannot "
            "use a proxy (repeatable): --reverse https://api.example.com=9001",
        ),
    ] = None
    stale_period: Annotated[
        float, Option(help="Seconds between sweeps removing mocks idle past their timeout.")
    ] = 60.0
    mock_timeout: Annotated[
        str,
        Option(help="Idle seconds before a mock created without a timeout expires, or FOREVER."),
    ] = "120"
    confdir: Annotated[
        Path, Option(help="Where the CA certificate and key live (created on first start).")
    ] = DEFAULT_CONFDIR
    log_level: Annotated[
        str, Option(help="debug shows every connection; info is quiet on the hot path.")
    ] = "info"
    miss_status: Annotated[int, Option(help="HTTP status answering a request nothing matched.")] = (
        404
    )
    history_limit: Annotated[int, Option(help="Requests and mails kept per session.")] = 10_000
    max_body_size: Annotated[
        str,
        Option(
            help="Largest request body the control API, mocks and proxy take (413 beyond) and "
            "largest upstream response the proxy passes on (502 beyond): 65536, 64k, 64m, 1g."
        ),
    ] = "64m"
    token: Annotated[
        str | None,
        Option(
            envvar="PRETENDERS_TOKEN",
            help="Bearer token for the control API; required off loopback.",
        ),
    ] = None
    cassette_dir: Annotated[
        list[Path] | None,
        Option(
            metavar="DIR",
            help="Cassette paths given through the control API must lie in DIR (repeatable; "
            "relative ones are taken from the first; default: the working directory). "
            "Paths on the command line may be anywhere.",
        ),
    ] = None
    upstream_ca: Annotated[
        Path | None,
        Option(help="A PEM file of CAs to trust for upstream TLS, besides the system roots."),
    ] = None
    upstream_timeout: Annotated[
        float,
        Option(
            help="Seconds an upstream may take to answer a request passed through to it; "
            "then the client gets a 502 (0: no limit)."
        ),
    ] = 60.0
    upstream_insecure: Annotated[
        bool, Option(help="Do not verify upstream TLS certificates at all (says so at start).")
    ] = False
    redact_header: Annotated[
        list[str] | None,
        Option(
            metavar="NAME",
            help="A header recorded as <redacted>, besides Authorization, Proxy-Authorization, "
            "Cookie, Set-Cookie and X-Api-Key (repeatable).",
        ),
    ] = None
    redact_query: Annotated[
        list[str] | None,
        Option(metavar="NAME", help="A query parameter recorded as <redacted> (repeatable)."),
    ] = None

    def settings(self) -> Settings:
        """The server settings; ConfigError naming a bad value."""
        return Settings(
            host=self.host,
            port=self.port,
            proxy_port=self.proxy_port,
            smtp_port=self.smtp_port,
            smtp_port_range=parse_port_range(self.smtp_port_range),
            smtp_max_size=self.smtp_max_size,
            confdir=self.confdir,
            stale_period=self.stale_period,
            mock_timeout=parse_timeout(self.mock_timeout),
            miss_status=self.miss_status,
            history_limit=self.history_limit,
            max_body_size=parse_size(self.max_body_size),
            token=self.token,
            cassette_dirs=tuple(self.cassette_dir or ()),
        )

    def options(self) -> dict[str, Any]:
        """The mitmproxy options these flags set beyond the settings; ConfigError if bad."""
        reverse = [parse_reverse(text).mode(self.host) for text in self.reverse or ()]
        return {
            "mode": ["regular", *reverse],
            "ssl_insecure": self.upstream_insecure,
            "pretenders_upstream_timeout": self.upstream_timeout,
            "pretenders_upstream_ca": str(self.upstream_ca or ""),
            "pretenders_redact_headers": list(self.redact_header or ()),
            "pretenders_redact_query": list(self.redact_query or ()),
        }


def server_flags(command: Callable[..., None]) -> Callable[..., None]:
    """Give a typer command every ServerFlags flag; it receives them as `flags: ServerFlags`."""
    shared = [
        inspect.Parameter(
            f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default, annotation=f.type
        )
        for f in fields(ServerFlags)
    ]
    own = [p for p in inspect.signature(command).parameters.values() if p.name != "flags"]

    def run(**values: Any) -> None:
        flags = ServerFlags(**{f.name: values.pop(f.name) for f in fields(ServerFlags)})
        command(flags=flags, **values)

    run.__name__, run.__doc__ = command.__name__, command.__doc__
    run.__signature__ = inspect.Signature(own + shared)  # type: ignore[attr-defined]
    return run
