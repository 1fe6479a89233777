import pytest
import typer

from pretenders_proxy.cli.output import fail


def test_fail_says_what_is_wrong_on_stderr_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as stopped:
        fail("no such cassette")
    assert stopped.value.exit_code == 2
    assert capsys.readouterr() == ("", "pretenders: no such cassette\n")
