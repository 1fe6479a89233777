"""`pretenders serve|record|replay`: run the server in the mode the command names, print where
it listens, stop on Ctrl-C."""

import asyncio
import logging
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pretenders_proxy._version import __version__
from pretenders_proxy.cli.flags import Flags, server_command
from pretenders_proxy.cli.output import fail
from pretenders_proxy.errors import ConfigError, ListenError
from pretenders_proxy.matching.fields import parse_match_on
from pretenders_proxy.matching.modes import Mode
from pretenders_proxy.server import files
from pretenders_proxy.settings import Settings, show_timeout
from pretenders_proxy.store.sessions import DEFAULT_SESSION

if TYPE_CHECKING:  # mitmproxy is imported only when a command needs it: --help stays quick
    from pretenders_proxy.server.process import Server

LOG_LEVELS = ["debug", "info", "warning", "error"]


def add_commands(app: typer.Typer, settings: type[Settings] = Settings) -> None:
    """Give `app` the serve, record and replay commands, with a flag for each option of
    `settings` that has one."""
    for command in (serve, record, replay):
        app.command(epilog=EPILOGS[command.__name__])(server_command(command, settings))


EPILOGS = {
    "serve": "Example: pretenders serve --port 8000 --proxy-port 8080   then   "
    "curl -x http://127.0.0.1:8080 http://api.example.test/hello",
    "record": "Example: pretenders record api.cassette   then   "
    "HTTPS_PROXY=http://127.0.0.1:8080 ./my-app   (see: pretenders env)",
    "replay": "Example: pretenders replay cassettes/example.cassette   then   "
    "curl -x http://127.0.0.1:8080 http://api.example.test/hello",
}


def serve(flags: Flags) -> None:
    """Mock mode: presets answer, anything else gets the miss reply (404, X-Pretenders-Miss)."""
    _start(flags, mode=Mode.MOCK)


def record(
    cassette: Annotated[Path, typer.Argument(help="The cassette to record to (appended to).")],
    flags: Flags,
) -> None:
    """Record mode: presets answer; everything else goes upstream and is appended to CASSETTE."""
    _start(flags, mode=Mode.RECORD, cassettes=(str(cassette),))


def replay(
    cassettes: Annotated[list[Path], typer.Argument(help="The cassettes answering requests.")],
    flags: Flags,
) -> None:
    """Replay mode: presets, then the cassettes answer; a miss follows --on-miss."""
    try:
        if flags.values["match_on"] is not None:
            parse_match_on([flags.values["match_on"]])
    except ConfigError as e:
        fail(f"--{e}")
    _start(flags, mode=Mode.REPLAY, cassettes=tuple(str(path) for path in cassettes))


def _start(flags: Flags, **fixed: Any) -> None:
    """Run the server the flags describe, with the `fixed` settings of the command."""
    _setup_logging(flags.values["log_level"])
    try:
        settings = _fit_to_files(flags.settings(**fixed))
    except ConfigError as e:
        fail(str(e))
    if settings.workers > 1:
        from pretenders_proxy.cli import workers

        raise typer.Exit(workers.serve(settings, _worker))
    raise typer.Exit(asyncio.run(_run(settings)))


def _worker(settings: Settings, banner: Path | None) -> int:
    """One of --workers N: worker 0 writes its banner to `banner` (the parent prints it once
    all are ready), the others none; the parent says when they stopped."""
    try:
        return asyncio.run(_run(settings, banner=banner, worker=True))
    except typer.Exit as e:
        return e.exit_code


def _fit_to_files(settings: Settings) -> Settings:
    """Raise the open-file limit to the hard one; lower --max-connections to what it allows, so
    that listeners at their caps never run the process out of files."""
    limit = files.raise_file_limit()
    cap, warning = files.fit_connections(settings.max_connections, limit.now)
    if warning is not None:
        logging.getLogger(__name__).warning("%s", warning)
    return replace(settings, max_connections=cap)


async def _run(settings: Settings, banner: Path | None = None, worker: bool = False) -> int:
    from mitmproxy import exceptions

    from pretenders_proxy.server.process import Server

    try:
        server = Server(settings)
        await server.start()
    except exceptions.OptionsError as e:
        fail(str(e).removeprefix("pretenders: "))
    except (ConfigError, ListenError) as e:
        fail(str(e))
    if not worker:
        typer.echo(_banner(server))
        sys.stdout.flush()
    elif banner is not None:
        _keep_banner(banner, _banner(server))
    stopped = None if worker else lambda: typer.echo("pretenders stopped", err=True)
    await server.serve(on_stop=stopped)
    return 0


def _banner(server: "Server") -> str:
    listeners = server.runtime.listeners
    control = listeners["control"]
    reverse = [
        _row(f"reverse to {name.removeprefix('reverse:')}", url)
        for name, url in listeners.items()
        if name.startswith("reverse:")
    ]
    lines = [
        f"pretenders {__version__} ready",
        _row("control API, UI, mocks", f"{control}/"),
        _row("HTTP(S) proxy", listeners["proxy"]),
        *reverse,
        _row("SMTP capture", listeners["smtp"]),
        _row("OpenAPI", f"{control}/api/v1/openapi.json"),
        _row("CA certificate", str(server.ca_file)),
        _row("connections", _limits(server.runtime.settings)),
        *_mode_rows(server),
        *_workers_row(server.runtime.settings),
        "Ctrl-C stops it.",
    ]
    return "\n".join(lines)


def _keep_banner(path: Path, text: str) -> None:
    """Worker 0's banner, for the parent to print once every worker is ready (a small local
    file written once at start-up: no thread needed)."""
    path.write_text(text + "\n")


def _workers_row(settings: Settings) -> list[str]:
    if settings.workers == 1:
        return []
    return [_row("workers", f"{settings.workers} processes on these ports, one shared store")]


def _limits(settings: Settings) -> str:
    head, idle = show_timeout(settings.header_timeout), show_timeout(settings.idle_timeout)
    return f"at most {settings.max_connections} per listener, idle {idle}s, request heads {head}s"


def _row(label: str, value: str) -> str:
    return f"  {label:<22}  {value}"


def _mode_rows(server: "Server") -> list[str]:
    """The default session's mode and cassettes, and what upstream TLS is checked against."""
    playback = server.runtime.store.get(DEFAULT_SESSION).playback
    config = playback.config
    if config.mode is Mode.RECORD:
        mode = f"record to {config.cassettes[0]}"
    elif config.mode is Mode.REPLAY:
        mode = f"replay {', '.join(config.cassettes)} ({len(playback.tape)} recordings), "
        mode += f"on miss: {config.on_miss}, repeat: {config.repeat}"
    else:
        mode = "mock (presets answer, anything else gets the miss reply)"
    options = server.master.options
    if options.ssl_insecure:
        trust = "NOT VERIFIED (--upstream-insecure)"
    else:
        trust = f"verified against {options.ssl_verify_upstream_trusted_ca or 'certifi roots'}"
    rows = [_row("mode", mode), _row("upstream TLS", trust)]
    return rows + [_row("warning", warning) for warning in playback.warnings]


def _setup_logging(level: str) -> None:
    if level.lower() not in LOG_LEVELS:
        fail(f"--log-level {level!r} is not one of {', '.join(LOG_LEVELS)}")
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
