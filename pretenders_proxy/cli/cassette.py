"""`pretenders cassette ...`: show, stats, diff, repair, migrate, and conversion to and from
other tools' formats. Heavy modules are imported inside the commands, so `pretenders --help`
stays quick."""

import itertools
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pretenders_proxy.cli.output import fail

if TYPE_CHECKING:
    from pretenders_proxy.cassette import convert as conversion
    from pretenders_proxy.cassette.formats.common import Losses
    from pretenders_proxy.model.exchange import Exchange

FORMATS = "cassette, json, har, vcr, mitm, hoverfly, wiremock"

cassette_app = typer.Typer(
    name="cassette",
    help="Inspect, compare, repair, migrate and convert cassettes (and HAR, VCR.py, mitmproxy, "
    "Hoverfly, WireMock files).",
    no_args_is_help=True,
    rich_markup_mode=None,
)

AnyCassette = Annotated[Path, typer.Argument(help="The cassette (or any supported file).")]
FormatOption = Annotated[
    str | None,
    typer.Option("--format", help=f"The format ({FORMATS}); by default from the name."),
]
BaseUrl = Annotated[
    str,
    typer.Option(
        help="Scheme, host and port for formats that name none (WireMock; Hoverfly pairs that "
        "match any host)."
    ),
]


@cassette_app.command(epilog="Example: pretenders cassette show api.cassette --full 3")
def show(
    cassette: AnyCassette,
    full: Annotated[
        int | None,
        typer.Option(help="Show exchange N whole: headers and a readable body."),
    ] = None,
    format: FormatOption = None,
    base_url: BaseUrl = "",
) -> None:
    """One line per exchange: index, method, URL, status, content type, sizes, redactions,
    chunks of streamed responses and WebSocket message counts (--full N lists them)."""
    from pretenders_proxy.cassette import review

    losses = _losses()
    for index, exchange in enumerate(_read(cassette, format, losses, base_url)):
        if full is None:
            typer.echo(review.line(index, exchange))
        elif index == full:
            typer.echo(review.full(index, exchange), nl=False)
            return
    if full is not None:
        fail(f"{cassette} has no exchange {full} (they are numbered from 0)")
    _report(losses)


@cassette_app.command(epilog="Example: pretenders cassette stats api.cassette")
def stats(
    cassette: AnyCassette,
    format: FormatOption = None,
    base_url: BaseUrl = "",
) -> None:
    """Counts by host, method and status; total body sizes; duplicated requests; streamed
    responses, their chunks and WebSocket messages."""
    from pretenders_proxy.cassette.review import Stats

    found, losses = Stats(), _losses()
    for exchange in _progress(_read(cassette, format, losses, base_url), "reading"):
        found.add(exchange)
    typer.echo("\n".join(found.lines()))
    _report(losses)


@cassette_app.command(epilog="Example: pretenders cassette diff old.cassette new.cassette")
def diff(
    a: Annotated[Path, typer.Argument(help="The cassette before.")],
    b: Annotated[Path, typer.Argument(help="The cassette after.")],
    ignore_timing: Annotated[
        bool,
        typer.Option(help="Ignore when chunks and WebSocket messages came (not what came)."),
    ] = False,
    base_url: BaseUrl = "",
) -> None:
    """Exchange-by-exchange differences (recording times ignored); exit status 1 if any."""
    from pretenders_proxy.cassette import review

    losses = _losses()
    different = False
    left, right = _read(a, None, losses, base_url), _read(b, None, losses, base_url)
    for text in review.diff(left, right, timing=not ignore_timing):
        different = True
        typer.echo(text)
    if different:
        raise typer.Exit(1)
    typer.echo(f"{a} and {b} hold the same exchanges", err=True)


@cassette_app.command(epilog="Example: pretenders cassette repair api.cassette")
def repair(
    cassette: Annotated[Path, typer.Argument(help="The damaged cassette.")],
    output: Annotated[
        Path | None,
        typer.Option(help="Write the repaired cassette here instead of over CASSETTE."),
    ] = None,
) -> None:
    """Keep every complete exchange of a damaged cassette (cut short, garbage at the end)."""
    from pretenders_proxy.cassette import repair as mending
    from pretenders_proxy.errors import CassetteError

    target = output or cassette
    try:
        checked = mending.check(cassette, lambda items: _progress(items, "checking"))
        if checked.problem is None and output is None:
            typer.echo(f"{cassette}: nothing to repair ({checked.count} exchanges)")
            return
        mending.keep_complete(cassette, target, checked)
    except CassetteError as e:
        fail(str(e))
    except OSError as e:
        fail(f"cannot write {target}: {e.strerror or e}")
    typer.echo(f"{target}: kept {checked.count} complete exchanges")
    if checked.problem:
        typer.echo(f"dropped what followed them: {checked.problem}", err=True)


@cassette_app.command(epilog="Example: pretenders cassette migrate old.cassette")
def migrate(
    cassette: Annotated[Path, typer.Argument(help="The cassette an older pretenders wrote.")],
    output: Annotated[
        Path | None,
        typer.Option(help="Write the migrated cassette here instead of over CASSETTE."),
    ] = None,
) -> None:
    """Rewrite a cassette of an older version as the current version (in one step)."""
    from pretenders_proxy.cassette import repair as mending
    from pretenders_proxy.cassette.codec import VERSION
    from pretenders_proxy.errors import CassetteError

    target = output or cassette
    try:
        if not cassette.exists():
            raise CassetteError(f"{cassette}: no such file")
        if output is None and mending.version_of(cassette) == VERSION:
            typer.echo(f"{cassette}: already cassette version {VERSION}, nothing to do")
            return
        migrated = mending.migrate(cassette, target)
    except CassetteError as e:
        fail(str(e))
    except OSError as e:
        fail(f"cannot write {target}: {e.strerror or e}")
    typer.echo(
        f"{target}: {migrated.count} exchanges, cassette version {migrated.version} -> {VERSION}"
    )


@cassette_app.command(
    name="export", epilog="Example: pretenders cassette export api.cassette api.har"
)
def export(
    cassette: Annotated[Path, typer.Argument(help="The cassette to export.")],
    output: Annotated[Path, typer.Argument(help="The file (a directory for WireMock).")],
    format: FormatOption = None,
) -> None:
    """Write a cassette's exchanges in another tool's format; says what that format drops."""
    _convert(cassette, output, "cassette", format, "")


@cassette_app.command(
    name="import", epilog="Example: pretenders cassette import vcr.yaml api.cassette"
)
def import_(
    source: Annotated[Path, typer.Argument(help="The file (a directory for WireMock).")],
    cassette: Annotated[Path, typer.Argument(help="The cassette to write (replaced).")],
    format: FormatOption = None,
    base_url: BaseUrl = "",
) -> None:
    """Make a cassette from another tool's file; says what could not be carried over."""
    _convert(source, cassette, format, "cassette", base_url)


@cassette_app.command(epilog="Example: pretenders cassette convert flows.mitm api.har")
def convert(
    source: Annotated[Path, typer.Argument(help="The file to read.")],
    output: Annotated[Path, typer.Argument(help="The file to write (replaced).")],
    source_format: Annotated[
        str | None,
        typer.Option("--from", help=f"SOURCE's format ({FORMATS}); by default from the name."),
    ] = None,
    output_format: Annotated[
        str | None,
        typer.Option("--to", help="OUTPUT's format; by default from the name."),
    ] = None,
    base_url: BaseUrl = "",
) -> None:
    """Any supported format to any other, streaming one exchange at a time."""
    _convert(source, output, source_format, output_format, base_url, ("--from", "--to"))


def _convert(
    source: Path,
    output: Path,
    source_format: str | None,
    output_format: str | None,
    base: str,
    options: tuple[str, str] = ("--format", "--format"),
) -> None:
    from pretenders_proxy.cassette import convert as conversion
    from pretenders_proxy.errors import CassetteError

    losses = _losses()
    try:
        kind = (
            conversion.detect(output, reading=False)
            if output_format is None
            else _format(output_format, options[1])
        )
        read = _read(source, source_format, losses, base, option=options[0])
        first = next(read, None)
        if first is None and losses.counts:  # all dropped: no empty file that looks imported
            fail(f"{source}: nothing imported, every item dropped: {'; '.join(losses.counts)}")
        read = itertools.chain([] if first is None else [first], read)
        exchanges = _Counted(_progress(read, "converting"))
        conversion.write(output, kind, exchanges, losses, _matching_head(source))
    except CassetteError as e:
        fail(str(e))
    typer.echo(f"{output}: {exchanges.count} exchanges written as {kind}")
    _report(losses)


class _Counted:
    def __init__(self, items: Iterable["Exchange"]) -> None:
        self.items, self.count = items, 0

    def __iter__(self) -> Iterator["Exchange"]:
        for item in self.items:
            self.count += 1
            yield item


def _format(given: str, option: str) -> "conversion.Format":
    from pretenders_proxy.cassette import convert as conversion

    try:
        return conversion.Format(given.lower())
    except ValueError:
        fail(f"{option} {given!r} is not one of {FORMATS}")


def _read(
    path: Path, given: str | None, losses: "Losses", base: str, option: str = "--format"
) -> Iterator["Exchange"]:
    """The exchanges of `path`; a clear one-line error and exit status 2 when it is bad."""
    from pretenders_proxy.cassette import convert as conversion
    from pretenders_proxy.errors import CassetteError

    try:
        if not path.exists():
            raise CassetteError(f"{path}: no such file")
        kind = None if given is None else _format(given, option)
        yield from conversion.read(path, kind, losses, base)  # None: told by name or content
    except CassetteError as e:
        fail(str(e))


def _matching_head(source: Path) -> dict[str, Any]:
    """The matching keys of `source`'s header when it is a cassette (none when it is not)."""
    from pretenders_proxy.cassette import matching
    from pretenders_proxy.errors import CassetteError

    try:
        return matching.matching_keys(matching.head_of(source))
    except CassetteError:
        return {}


def _losses() -> "Losses":
    from pretenders_proxy.cassette.formats.common import Losses

    return Losses()


def _report(losses: "Losses") -> None:
    for text in losses.lines():
        typer.echo(text, err=True)


def _progress[T](items: Iterable[T], what: str) -> Iterable[T]:
    """A progress display on stderr, only when a person watches it (stderr is a terminal)."""
    if not sys.stderr.isatty():
        return items
    from rich.console import Console
    from rich.progress import track

    return track(items, description=what, console=Console(stderr=True), transient=True)
