import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from pretenders_proxy.cli.app import app
from pretenders_proxy.cli.flags import Flags, server_command
from pretenders_proxy.matching.modes import OnMiss
from pretenders_proxy.settings import ANY_PORT, Settings

runner = CliRunner()
SHARED = [
    "--host", "--port", "--proxy-port", "--smtp-port", "--smtp-port-range", "--smtp-max-size",
    "--reverse", "--stale-period", "--mock-timeout", "--confdir", "--log-level", "--miss-status",
    "--history-limit", "--history-max-bytes", "--max-sessions", "--store", "--store-prefix",
    "--workers",
    "--max-body-size", "--token",
    "--allowed-host", "--cassette-dir", "--upstream-ca", "--map-host", "--upstream-timeout",
    "--header-timeout",
    "--idle-timeout", "--max-connections", "--plain-mock-replies", "--no-plain-mock-replies",
    "--upstream-insecure", "--redact-header",
    "--redact-query",
    "--regex-timeout", "--ready-file", "--replay-speed", "--ignore", "--max-age", "--on-stale",
]  # fmt: skip


def flags_of(command: str) -> list[str]:
    """The flags `command --help` lists, in order (both names of a switch)."""
    shown = runner.invoke(app, [command, "--help"]).output
    found = re.findall(r"^  (--[\w-]+)(?: / (--[\w-]+))?", shown, re.M)
    return [name for names in found for name in names if name and name != "--help"]


@pytest.mark.parametrize(
    ("command", "own"),
    [("serve", []), ("record", []), ("replay", ["--on-miss", "--repeat", "--match-on"])],
)
def test_each_command_has_the_shared_flags_after_its_own(command: str, own: list[str]) -> None:
    switch = SHARED.index("--upstream-insecure") + 1
    assert flags_of(command) == [
        *own,
        *SHARED[:switch],
        "--no-upstream-insecure",
        *SHARED[switch:],
    ]


def test_flag_values_become_settings(tmp_path: Path) -> None:
    got: list[Settings] = []

    def replay(flags: Flags) -> None:
        got.append(flags.settings(cassettes=("x.cassette",)))

    one = typer.Typer()
    one.command()(server_command(replay))
    args = ["--smtp-port-range", "0", "--mock-timeout", "FOREVER", "--max-body-size", "1k"]
    args += ["--cassette-dir", str(tmp_path), "--cassette-dir", "b", "--upstream-insecure"]
    args += ["--on-miss", "record", "--confdir", str(tmp_path)]
    result = runner.invoke(one, args, env={"PRETENDERS_TOKEN": "s3cret"})
    assert result.exit_code == 0, result.output
    assert got == [
        Settings(
            smtp_port_range=ANY_PORT,
            mock_timeout=None,
            max_body_size=1024,
            cassette_dirs=(tmp_path, Path("b")),
            upstream_insecure=True,
            on_miss=OnMiss.RECORD,
            confdir=tmp_path,
            token="s3cret",
            cassettes=("x.cassette",),
        )
    ]


def test_flags_left_out_are_the_defaults() -> None:
    got: list[Settings] = []
    one = typer.Typer()
    one.command()(server_command(lambda flags: got.append(flags.settings())))
    assert runner.invoke(one, [], env={"PRETENDERS_TOKEN": None}).exit_code == 0
    assert got == [Settings()]


def test_a_bad_ignore_spec_stops_replay_before_it_starts(tmp_path: Path) -> None:
    args = ["replay", "--ignore", "query:_ts", "--ignore", "json:$.a[", str(tmp_path / "c")]
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert "ignore json:$.a[: json path $.a[: unclosed bracket at 4" in result.output
