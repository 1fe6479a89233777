"""The README's examples run as written (against a real server on free ports)."""

import re
from pathlib import Path

import pytest

from pretenders_proxy.testing.launcher import RunningServer

README = (Path(__file__).parents[1] / "README.md").read_text()


def example(name: str) -> str:
    found = re.search(rf"```python\n# README example: {name}\n(.*?)```", README, re.S)
    assert found, f"README example {name} is missing"
    return found.group(1)


def test_http_mock_example(server: RunningServer) -> None:
    code = example("http-mock").replace(
        'HTTPMock("localhost", 8000)', f'HTTPMock("{server.host}", {server.port})'
    )
    assert f"{server.port})" in code
    exec(compile(code, "README.md", "exec"), {})


def test_smtp_mock_example(server: RunningServer) -> None:
    code = example("smtp-mock").replace(
        'SMTPMock("localhost", 8000)', f'SMTPMock("{server.host}", {server.port})'
    )
    assert f"{server.port})" in code
    exec(compile(code, "README.md", "exec"), {})


def test_pytest_plugin_example(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_readme_example=example("pytest-plugin"))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:anyio")
    result.assert_outcomes(passed=2)


def test_asyncio_example(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_readme_asyncio=example("asyncio"))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:anyio")
    result.assert_outcomes(passed=1)


def test_cassette_tools_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from pretenders_proxy.cli.app import app

    block = README.split("<!-- README example: cassette-tools", 1)[1].split("```console\n")[1]
    commands = [line.split("  #")[0].split() for line in block.split("```")[0].splitlines()]
    assert len(commands) == 11
    (tmp_path / "cassettes").mkdir()
    example_cassette = Path(__file__).parents[1] / "cassettes" / "example.cassette"
    (tmp_path / "cassettes" / "example.cassette").write_bytes(example_cassette.read_bytes())
    monkeypatch.chdir(tmp_path)
    for command in commands:
        assert command[:2] == ["pretenders", "cassette"]
        result = CliRunner().invoke(app, command[1:])
        assert result.exit_code == 0, (command, result.output)
    assert (tmp_path / "wiremock" / "mappings").is_dir()


def test_websocket_example(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_readme_websocket=example("websocket"))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:anyio")
    result.assert_outcomes(passed=1)
