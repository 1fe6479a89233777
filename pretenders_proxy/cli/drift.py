"""`pretenders cassette drift`: is the cassette still true? Its recorded requests are sent to the
live upstream (directly, with httpx: no proxy) and each answer compared with the recorded one
(matching/drift.py); a report, exit status 1 when something drifted (issue 17)."""

import asyncio
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pretenders_proxy.cli.output import fail

if TYPE_CHECKING:
    from pretenders_proxy.cli.live import Upstream
    from pretenders_proxy.matching.drift import Difference
    from pretenders_proxy.matching.ignore import Ignore
    from pretenders_proxy.model.exchange import Exchange

EPILOG = (
    "Example (a nightly CI job): pretenders cassette drift cassettes/*.cassette "
    "--map-host api.example.com=staging.example.com --ignore json:$.meta.generated_at"
)


@dataclass(frozen=True)
class Check:
    """One recorded exchange to send again, with the ignore list of its cassette."""

    cassette: Path
    index: int
    exchange: "Exchange"
    ignore: "Ignore"

    @property
    def title(self) -> str:
        request = self.exchange.request
        return f"#{self.index} {request.method} {request.url}"


@dataclass(frozen=True)
class Outcome:
    check: Check
    differences: Sequence["Difference"] = ()
    error: str | None = None

    @property
    def drifted(self) -> bool:
        return bool(self.differences) or self.error is not None


@dataclass
class Plan:
    checks: list[Check] = field(default_factory=list)
    skipped: list[tuple[Check, str]] = field(default_factory=list)


def drift(
    cassettes: Annotated[
        list[Path], typer.Argument(metavar="CASSETTE...", help="The cassettes to check.")
    ],
    unsafe: Annotated[
        bool,
        typer.Option(
            help="Send other methods too (POST, PUT, DELETE...): they may change data there."
        ),
    ] = False,
    values: Annotated[
        bool, typer.Option(help="Compare JSON values, not only keys and types.")
    ] = False,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            metavar="SPEC",
            help="Leave a part out (repeatable), besides the cassette's own list: "
            "json:$.meta.generated_at, header:X-Trace (headers and JSON apply to responses too).",
        ),
    ] = None,
    map_host: Annotated[
        list[str] | None,
        typer.Option(
            metavar="SPEC",
            help="Send requests for NAME elsewhere, as `serve --map-host` does (repeatable): "
            "NAME[:PORT]=[SCHEME://]HOST[:PORT].",
        ),
    ] = None,
    upstream_ca: Annotated[
        Path | None, typer.Option(help="A PEM file of CAs to trust besides the system roots.")
    ] = None,
    upstream_insecure: Annotated[
        bool, typer.Option(help="Do not verify upstream TLS certificates at all.")
    ] = False,
    timeout: Annotated[float, typer.Option(help="Seconds each request may take.")] = 30.0,
    concurrency: Annotated[int, typer.Option(help="Requests under way at once (1-16).")] = 4,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a machine-readable report instead.")
    ] = False,
) -> None:
    """Send the recorded safe requests (GET, HEAD, OPTIONS) to the live upstream and compare
    status, content type, header names and JSON structure with the recording; exit status 0:
    nothing drifted, 1: something did (an unreachable upstream too), 2: bad input."""
    from pretenders_proxy.cli.live import Upstream
    from pretenders_proxy.errors import CassetteError, ConfigError
    from pretenders_proxy.model.hostmap import parse_maps

    if not 0 < timeout <= 3600 or not 1 <= concurrency <= 16:
        fail("--timeout must be in (0, 3600] seconds and --concurrency in 1-16")
    try:
        plan = _plan(cassettes, ignore or [], unsafe)
        upstream = Upstream(parse_maps(map_host or []), upstream_ca, upstream_insecure, timeout)
    except (CassetteError, ConfigError) as e:
        fail(str(e))
    outcomes = asyncio.run(_check_all(plan.checks, upstream, values, concurrency))
    several = len(cassettes) > 1
    typer.echo(_json(plan, outcomes) if as_json else "\n".join(_lines(plan, outcomes, several)))
    if any(outcome.drifted for outcome in outcomes):
        raise typer.Exit(1)


def _plan(cassettes: Sequence[Path], ignore: Sequence[str], unsafe: bool) -> Plan:
    """What to send from each cassette, and what is left out and why."""
    from pretenders_proxy.cassette.codec import matching_of
    from pretenders_proxy.cassette.reading import Reader
    from pretenders_proxy.matching.drift import is_safe
    from pretenders_proxy.matching.ignore import parse_ignore

    parse_ignore(ignore)  # a bad flag is named as given, before any cassette's
    plan = Plan()
    for path in cassettes:
        with Reader(path) as reader:
            own, _ = matching_of(reader.header)
            ignoring = parse_ignore([*ignore, *own])
            for index, stored in enumerate(reader):
                check = Check(path, index, stored.exchange, ignoring)
                if stored.exchange.websocket is not None or stored.exchange.response.status == 101:
                    plan.skipped.append((check, "WebSocket: not replayed"))
                elif not unsafe and not is_safe(stored.exchange.request.method):
                    plan.skipped.append((check, "unsafe method: --unsafe sends it"))
                else:
                    plan.checks.append(check)
    return plan


async def _check_all(
    checks: Sequence[Check], upstream: "Upstream", values: bool, concurrency: int
) -> list[Outcome]:
    gate = asyncio.Semaphore(concurrency)

    async def one(check: Check) -> Outcome:
        async with gate:
            return await _check(check, upstream, values)

    async with upstream:
        return list(await asyncio.gather(*(one(check) for check in checks)))


async def _check(check: Check, upstream: "Upstream", values: bool) -> Outcome:
    from pretenders_proxy.cli.live import UnreachableError
    from pretenders_proxy.matching.drift import compare

    try:
        live = await upstream.send(check.exchange.request)
    except UnreachableError as e:
        return Outcome(check, error=str(e))
    return Outcome(check, compare(check.exchange.response, live, check.ignore, values=values))


def _lines(plan: Plan, outcomes: Sequence[Outcome], several: bool) -> Iterator[str]:
    """A block per drifted exchange, then the summary line."""
    drifted = [outcome for outcome in outcomes if outcome.drifted]
    for outcome in drifted:
        where = f"{outcome.check.cassette} " if several else ""
        yield f"{where}{outcome.check.title}"
        if outcome.error is not None:
            yield f"  error: {outcome.error}"
        yield from (f"  {difference.line}" for difference in outcome.differences)
        yield ""
    reasons = "; ".join(sorted({reason for _, reason in plan.skipped}))
    skipped = f", {len(plan.skipped)} skipped ({reasons})" if plan.skipped else ""
    legend = "; each line says recorded vs live" if drifted else ""
    unchanged = len(outcomes) - len(drifted)
    yield f"{len(outcomes)} checked: {len(drifted)} drifted, {unchanged} unchanged{skipped}{legend}"


def _json(plan: Plan, outcomes: Sequence[Outcome]) -> str:
    report = {
        "checked": len(outcomes),
        "drifted": sum(o.drifted for o in outcomes),
        "skipped": len(plan.skipped),
        "exchanges": [_checked(outcome) for outcome in outcomes],
        "skipped_exchanges": [_named(check) | {"reason": why} for check, why in plan.skipped],
    }
    return json.dumps(report, indent=2)


def _named(check: Check) -> dict[str, object]:
    request = check.exchange.request
    where = {"cassette": str(check.cassette), "index": check.index}
    return where | {"method": request.method, "url": request.url}


def _checked(outcome: Outcome) -> dict[str, object]:
    differences = [
        {"part": d.part, "recorded": d.recorded, "live": d.live, "line": d.line}
        for d in outcome.differences
    ]
    found = {"drifted": outcome.drifted, "error": outcome.error, "differences": differences}
    return _named(outcome.check) | found
