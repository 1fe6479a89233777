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

    from pretenders_proxy.cassette import reading
    from pretenders_proxy.cassette.codec import VERSION
    from pretenders_proxy.cli.app import app

    block = README.split("<!-- README example: cassette-tools", 1)[1].split("```console\n")[1]
    commands = [line.split("  #")[0].split() for line in block.split("```")[0].splitlines()]
    assert len(commands) == 13
    (tmp_path / "cassettes").mkdir()
    example_cassette = Path(__file__).parents[1] / "cassettes" / "example.cassette"
    (tmp_path / "cassettes" / "example.cassette").write_bytes(example_cassette.read_bytes())
    monkeypatch.chdir(tmp_path)
    for command in commands:
        assert command[:2] == ["pretenders", "cassette"]
        result = CliRunner().invoke(app, command[1:])
        assert result.exit_code == 0, (command, result.output)
    assert (tmp_path / "wiremock" / "mappings").is_dir()
    assert reading.read(tmp_path / "v2.cassette").version == VERSION


def test_the_websocket_lines_shown_are_what_show_prints() -> None:
    from pretenders_proxy.cassette.review import full
    from tests.pretenders_proxy.samples import streams

    block = README.split("<!-- README output: websocket-show", 1)[1].split("```console\n")[1]
    shown = block.split("```")[0].splitlines()[2:]
    printed = full(1, streams()[1]).splitlines()
    assert shown == printed[-len(shown) :]


def test_ignore_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The miss the README shows, and the replay with its --ignore flags answering."""
    import shlex

    import requests

    from pretenders_proxy.cassette import writing
    from pretenders_proxy.testing.launcher import launch
    from tests.pretenders_proxy.factories import exchange, request

    block = README.split("<!-- README example: ignore", 1)[1].split("```console\n")[1]
    lines = block.split("```")[0].splitlines()
    sent = shlex.split(lines[1].removeprefix("$ ").rstrip("\\") + lines[2])
    body = sent[sent.index("-d") + 1]
    recorded = b'{"meta": {"nonce": "a1", "timestamp": 1732000000}, "item": "book"}'
    json_type = ((b"Content-Type", b"application/json"),)
    posted = request("POST", b"/orders", b"", recorded, json_type, "api.example.test", 80, "http")
    monkeypatch.chdir(tmp_path)
    writer = writing.Writer.open(tmp_path / "orders.cassette")
    writer.append(exchange(posted, body=b"ordered"))
    writer.close()

    def send(server: RunningServer, data: str) -> requests.Response:
        headers = {"Content-Type": "application/json"}
        proxies = {"http": server.proxy}
        url = "http://api.example.test/orders"
        return requests.post(url, data=data, headers=headers, proxies=proxies, timeout=10)

    with launch(["orders.cassette"], confdir=tmp_path, command="replay") as replayer:
        missed = send(replayer, body)
    assert missed.status_code == 404
    assert missed.text.splitlines() == lines[3:-1]
    flags = shlex.split(lines[-1].removeprefix("$ "))[3:]
    assert flags[0] == "--ignore"
    with launch([*flags, "orders.cassette"], confdir=tmp_path, command="replay") as replayer:
        hit = send(replayer, body)
        reordered = send(replayer, '{"item":"book","meta":{"nonce":"c3","timestamp":1}}')
    assert (hit.status_code, hit.text, reordered.text) == (200, "ordered", "ordered")
