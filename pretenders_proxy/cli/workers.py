"""`--workers N` on the command line: the ports picked once for every worker, then the fleet
(pretenders_proxy.server.workers) run until Ctrl-C."""

import sys
from dataclasses import replace

import typer

from pretenders_proxy.cli.output import fail
from pretenders_proxy.cli.reverse import parse_reverse
from pretenders_proxy.errors import ConfigError
from pretenders_proxy.server import workers
from pretenders_proxy.server.binding import describe_bind_error
from pretenders_proxy.server.reservations import Reservations
from pretenders_proxy.settings import Settings


def serve(settings: Settings, run: workers.Run) -> int:
    """Run the workers on ports held for them all; their exit status. Refused (exit 2) for
    the memory store (the workers would each have their own) and off Linux."""
    if settings.store == "memory":
        fail(
            f"--workers {settings.workers} needs a shared store (--store redis://...): "
            "a memory store cannot be shared between processes"
        )
    if not sys.platform.startswith("linux"):
        fail(f"--workers {settings.workers}: needs Linux, where SO_REUSEPORT spreads connections")
    reservations = Reservations()
    try:
        status = workers.serve(held_ports(settings, reservations), run)
    finally:
        reservations.close()
    if status == 0:
        typer.echo("pretenders stopped", err=True)
    return status


def held_ports(settings: Settings, reservations: Reservations) -> Settings:
    """`settings` with each shared listener's port held and written as a number (0 becomes the
    free port picked); one line naming the listener when its port is taken."""
    host = settings.host

    def hold(what: str, port: int) -> int:
        try:
            return reservations.reserve(host, port)
        except OSError as e:
            fail(describe_bind_error(what, host, port, e))

    try:
        reverse = [parse_reverse(text) for text in settings.reverse]
    except ConfigError as e:
        fail(str(e))
    return replace(
        settings,
        port=hold("control API", settings.port),
        proxy_port=hold("HTTP(S) proxy", settings.proxy_port),
        smtp_port=hold("SMTP", settings.smtp_port),
        reverse=tuple(f"{r.url}={hold(f'reverse proxy to {r.url}', r.port)}" for r in reverse),
    )
