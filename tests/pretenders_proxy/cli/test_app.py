from typer.testing import CliRunner

from pretenders_proxy import __version__
from pretenders_proxy.cli.app import app

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"pretenders {__version__}"


def test_help_has_an_example_for_each_command() -> None:
    assert "Example:" in runner.invoke(app, ["--help"]).output
    serve_help = runner.invoke(app, ["serve", "--help"]).output
    for flag in (
        "--host",
        "--port",
        "--proxy-port",
        "--smtp-port",
        "--smtp-port-range",
        "--stale-period",
        "--confdir",
        "--log-level",
        "Example:",
    ):
        assert flag in serve_help


def test_bad_settings_exit_with_one_line() -> None:
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert result.output.startswith("pretenders: the control API would listen on 0.0.0.0")
    assert "Traceback" not in result.output


def test_bad_log_level() -> None:
    result = runner.invoke(app, ["serve", "--log-level", "loud"])
    assert result.exit_code == 2 and "--log-level 'loud'" in result.output
