"""`pretenders run -- CMD`: run CMD with its traffic going through a session of its own, in any
runtime (environment.variables), on a server started for the run unless --url names one."""

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pretenders_proxy.cli.output import fail
from pretenders_proxy.cli.trust import DEFAULTS, Confdir, Token
from pretenders_proxy.errors import APIError, LaunchError

if TYPE_CHECKING:  # httpx is imported when the command runs: `pretenders --help` stays quick
    from pretenders_proxy.cli.appenv import Destination

MISSES_SHOWN = 5
FORWARDED = (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)
EPILOG = (
    "Example: pretenders run --replay cassettes/example.cassette -- "
    "node -e \"fetch('https://api.example.test/hello').then(r => r.text()).then(console.log)\""
)


def run(
    command: Annotated[
        list[str],
        typer.Argument(metavar="CMD", help="The command to run and its arguments (after --)."),
    ],
    url: Annotated[
        str | None,
        typer.Option(
            envvar="PRETENDERS_URL",
            help="The control URL of a running server (default: start one for the run).",
        ),
    ] = None,
    session: Annotated[
        str | None, typer.Option(help="The session's name (default: a fresh one, printed).")
    ] = None,
    record: Annotated[
        Path | None, typer.Option(help="Record CMD's traffic to this cassette.", dir_okay=False)
    ] = None,
    replay: Annotated[
        Path | None,
        typer.Option(help="Answer CMD's traffic from this cassette.", dir_okay=False),
    ] = None,
    token: Token = None,
    confdir: Confdir = DEFAULTS.confdir,
) -> None:
    """Run CMD with its HTTP(S) going through pretenders and trusting its CA: the proxy and CA
    variables, Node's preload, Java's options and truststore. CMD's exit status is ours."""
    if record and replay:
        fail("--record and --replay: give one")
    from pretenders_proxy.cli.appenv import Control, connect

    given = record or replay
    cassette = given.absolute() if given else None
    try:
        with _server(url, confdir, cassette) as started:
            control = Control(started, token)
            destination = connect(control, session, confdir)
            try:
                if cassette is not None:
                    mode = "record" if record else "replay"
                    body = {"mode": mode, "cassettes": [str(cassette)]}
                    control.call("PUT", "/api/v1/mode", params=destination.scope, json=body)
                said = f"session {destination.session} ({control.url})"
                typer.echo(f"pretenders run: {said}", err=True)
                inherited = dict(os.environ)
                status = execute(command, inherited | dict(destination.environment(inherited)))
                _report_misses(destination)  # the server may be gone: CMD's status stays ours
            finally:
                if session is None:
                    with suppress(APIError):
                        control.call("DELETE", f"/api/v1/sessions/{destination.session}")
    except (APIError, LaunchError) as e:
        fail(str(getattr(e, "message", e)))
    raise typer.Exit(status)


@contextmanager
def _server(url: str | None, confdir: Path, cassette: Path | None) -> Iterator[str]:
    """The control URL: `url`, or a server started for the run (stopped after it)."""
    if url:
        yield url.rstrip("/")
        return
    from pretenders_proxy.testing.launcher import start

    folders = [Path.cwd(), *([cassette.parent] if cassette else [])]
    args = [arg for folder in folders for arg in ("--cassette-dir", str(folder))]
    with tempfile.TemporaryDirectory(prefix="pretenders-run-") as scratch:
        log = Path(scratch) / "server.log"
        # its own process group: a Ctrl-C for CMD must not stop the proxy CMD may still use
        server = start(args, confdir=confdir.expanduser(), log=log, own_group=True)
        try:
            yield server.control
        finally:
            server.stop()


def execute(command: list[str], env: dict[str, str]) -> int:
    """Run `command` to its end, passing it the signals sent to us; its exit status (128 + N
    when signal N ended it, as shells say)."""
    try:
        child = subprocess.Popen(command, env=env)
    except FileNotFoundError:
        typer.echo(f"pretenders run: {command[0]}: command not found", err=True)
        return 127
    except PermissionError:
        typer.echo(f"pretenders run: {command[0]}: permission denied", err=True)
        return 126
    forwarded = list(FORWARDED)
    # In a terminal's foreground, Ctrl-C reaches CMD by itself (same process group): passing it
    # on would make two; elsewhere (CI, `kill -INT`) it reaches only us.
    interrupt = signal.SIG_IGN if _terminal_foreground() else None
    if interrupt is None:
        forwarded.append(signal.SIGINT)
    before = {sig: signal.signal(sig, lambda sig, _: child.send_signal(sig)) for sig in forwarded}
    if interrupt is not None:
        before[signal.SIGINT] = signal.signal(signal.SIGINT, interrupt)
    try:
        status = child.wait()
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
    return status if status >= 0 else 128 - status


def _terminal_foreground() -> bool:
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (OSError, ValueError):
        return False


def _report_misses(destination: "Destination") -> None:
    """Say what CMD sent that nothing answered (replay is fail-closed: it got a 404)."""
    try:
        misses = destination.control.call("GET", "/api/v1/misses", params=destination.scope)
    except APIError as e:
        typer.echo(f"pretenders run: {e.message}", err=True)
        return
    if misses:
        shown = ", ".join(f"{m['method']} {m['url']}" for m in misses[:MISSES_SHOWN])
        more = f" and {len(misses) - MISSES_SHOWN} more" if len(misses) > MISSES_SHOWN else ""
        say = f"pretenders run: {len(misses)} request(s) matched nothing: {shown}{more}"
        typer.echo(say, err=True)
