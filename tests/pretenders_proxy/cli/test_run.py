"""`pretenders run`: CMD's exit status is ours, as shells say it; a bad command line is one line."""

from pathlib import Path

from typer.testing import CliRunner

from pretenders_proxy.cli.app import app
from pretenders_proxy.cli.run import execute


def test_cmds_exit_status_is_ours() -> None:
    assert execute(["sh", "-c", "exit 0"], {}) == 0
    assert execute(["sh", "-c", "exit 3"], {}) == 3


def test_cmd_ended_by_a_signal_is_128_plus_its_number() -> None:
    assert execute(["sh", "-c", "kill -KILL $$"], {}) == 128 + 9


def test_a_missing_or_unrunnable_cmd_is_127_or_126_as_in_a_shell(tmp_path: Path) -> None:
    assert execute([str(tmp_path / "nothing-here")], {}) == 127
    unrunnable = tmp_path / "script"
    unrunnable.write_text("#!/bin/sh\n")
    assert execute([str(unrunnable)], {}) == 126


def test_cmd_gets_the_environment_given() -> None:
    assert execute(["sh", "-c", 'test "$WHO" = alice'], {"WHO": "alice"}) == 0


def test_record_and_replay_together_are_refused_before_anything_starts(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["run", "--record", "a.cassette", "--replay", "b.cassette", "--", "true"]
    )
    assert result.exit_code == 2
    assert "--record and --replay: give one" in result.output
