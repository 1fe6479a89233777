"""The README's examples run as written (against a real server on free ports)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.integration.conftest import app_environment
from tests.integration.grpc_upstream import GrpcUpstream
from tests.integration.redis_server import RedisServer
from tests.integration.tlsca import make_ca

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


def test_llm_stream_example(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_readme_llm_stream=example("llm-stream"))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:anyio")
    result.assert_outcomes(passed=1)


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


def test_grpc_example(tmp_path: Path) -> None:
    ca = make_ca(tmp_path)
    upstream = GrpcUpstream(ca)
    script = tmp_path / "client.py"
    script.write_text(example("grpc").replace('"localhost:50051"', f'"{upstream.target}"'))
    cassette, confdir = tmp_path / "grpc.cassette", tmp_path / "conf"

    def run(server: RunningServer) -> str:
        """The example, in the environment `pretenders env` gives it for `server`."""
        env = dict(os.environ, **app_environment(server, confdir))
        command = [sys.executable, str(script)]
        return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout

    try:
        flags = ["--upstream-ca", str(ca.ca_cert), str(cassette)]
        with launch(flags, confdir=confdir, command="record") as recorder:
            recorded = run(recorder)
        calls, connections = upstream.calls, upstream.connections
        with launch([str(cassette)], confdir=confdir, command="replay") as replayer:
            replayed = run(replayer)
    finally:
        upstream.stop()
    assert recorded == replayed == "b'item: widget'\nb'item 0'\nb'item 1'\nb'item 2'\n"
    assert (calls, connections) == (2, 1)  # recording reached it; replay never did
    assert (upstream.calls, upstream.connections) == (calls, connections)


def test_record_sse_example(
    tmp_path: Path, confdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pretenders_proxy.testing.launcher import start
    from tests.integration.streaming import StreamingUpstream

    upstream = StreamingUpstream()
    cassette = tmp_path / "sse.cassette"
    server = start([str(cassette)], confdir=confdir, command="record")
    try:
        code = example("record-sse")
        code = code.replace('"http://127.0.0.1:8080"', repr(server.proxy))
        code = code.replace('"http://127.0.0.1:9000/events"', repr(upstream.url + "/sse?n=3"))
        exec(compile(code, "README.md", "exec"), {})
    finally:
        server.stop()
        upstream.stop()
    seen = [line.split("s ", 1) for line in capsys.readouterr().out.splitlines()]
    assert [event for _, event in seen] == ["data: 0", "data: 1", "data: 2"]
    assert float(seen[0][0]) < 0.4 <= float(seen[1][0])  # as sent (0.5 s apart), not at the end

    code = example("record-sse-cassette").replace('"sse.cassette"', repr(str(cassette)))
    exec(compile(code, "README.md", "exec"), {})
    size, chunks = capsys.readouterr().out.split(" ", 1)
    assert int(size) == 3 * len(b"id: 0\ndata: 0\n\n")
    assert chunks.count("(") == 4 and chunks.endswith(") whole\n")  # three pieces, whole


def test_websocket_example(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_readme_websocket=example("websocket"))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:anyio")
    result.assert_outcomes(passed=1)


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


def console_lines(name: str) -> list[str]:
    """The lines of the console block after `<!-- README example: NAME`."""
    block = README.split(f"<!-- README example: {name}", 1)[1].split("```console\n", 1)[1]
    return block.split("```", 1)[0].splitlines()


def test_map_host_and_drift_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--map-host records https://api.example.test from a local TLS upstream; replay answers
    offline; `cassette drift` (a glob, in a shell) finds nothing, then the changed id."""
    import shlex

    from tests.integration.upstream import Upstream

    ca = make_ca(tmp_path)
    upstream = Upstream(ca)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cassettes").mkdir()
    (tmp_path / "local-ca.pem").write_bytes(ca.ca_cert.read_bytes())

    def ours(line: str) -> str:
        return line.removeprefix("$ ").replace(":9000", f":{upstream.port}")

    try:
        lines = console_lines("map-host")
        for start in (0, 3):
            command, *flags = shlex.split(ours(lines[start]))[1:]
            with launch(flags, confdir=tmp_path / "conf", command=command) as server:
                environment = os.environ | app_environment(server, tmp_path / "conf")
                curl = ["curl", "-sS", "--max-time", "20", *shlex.split(ours(lines[start + 1]))[1:]]
                done = subprocess.run(curl, capture_output=True, text=True, env=environment)
                assert done.stdout == lines[start + 2], done.stderr
        for name in ("drift", "drift-changed"):
            lines = console_lines(name)
            shell = ours(lines[0]).replace(
                "pretenders ", f"{sys.executable} -m pretenders_proxy ", 1
            )
            done = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, timeout=60)
            assert done.stdout.splitlines() == lines[1:], done.stderr
            assert done.returncode == (0 if name == "drift" else 1)
            upstream.user = {"user": {"id": "1", "name": "Ada", "roles": ["admin"]}, "at": "x"}
    finally:
        upstream.stop()


def test_cassette_ignore_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The `cassette ignore` lines, run as written on a cassette of the example's kind."""
    import shlex

    from typer.testing import CliRunner

    from pretenders_proxy.cassette import matching, writing
    from pretenders_proxy.cli.app import app
    from tests.pretenders_proxy.samples import exchanges

    block = README.split("<!-- README example: cassette-ignore", 1)[1].split("```console\n")[1]
    commands = [shlex.split(line.split("  #")[0]) for line in block.split("```")[0].splitlines()]
    monkeypatch.chdir(tmp_path)
    writing.write(tmp_path / "api.cassette", exchanges())
    printed = []
    for command in commands:
        assert command[:3] == ["pretenders", "cassette", "ignore"]
        result = CliRunner().invoke(app, command[1:])
        assert result.exit_code == 0, (command, result.output)
        printed.append(result.stdout)
    assert printed[-1] == "json:$.meta.timestamp\n"
    stored = (("json:$.meta.timestamp",), ("method", "path", "body"))
    assert matching.stored(tmp_path / "api.cassette") == stored


def test_noise_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two recordings of one order: `cassette noise` prints what the README shows, `--write`
    stores it, and replay answers a new timestamp and nonce."""
    import shlex

    import requests

    from pretenders_proxy.cassette import writing
    from tests.pretenders_proxy.factories import exchange, request

    block = README.split("<!-- README example: noise", 1)[1].split("```console\n")[1]
    lines = block.split("```")[0].splitlines()
    monkeypatch.chdir(tmp_path)
    json_type = ((b"Content-Type", b"application/json"),)
    for name, stamp, nonce in (("monday", 1732000000, "a1"), ("tuesday", 1732086400, "b2")):
        body = b'{"item": "book", "meta": {"timestamp": %d, "nonce": "%s"}}' % (
            stamp,
            nonce.encode(),
        )
        posted = request("POST", b"/orders", b"", body, json_type, "api.example.test", 80, "http")
        writing.write(tmp_path / f"{name}.cassette", [exchange(posted, body=b"ordered")])
    commands = [i for i, line in enumerate(lines) if line.startswith("$ ")]
    for at, following in zip(commands, [*commands[1:], len(lines)], strict=True):
        args = shlex.split(lines[at].removeprefix("$ ").split("  #")[0])
        assert args[0] == "pretenders"
        if args[1] == "replay":
            continue
        done = subprocess.run(
            [sys.executable, "-m", "pretenders_proxy", *args[1:]],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        assert done.stdout.splitlines() == lines[at + 1 : following]
    replay = shlex.split(lines[commands[-1]].removeprefix("$ ").split("  #")[0])
    with launch(replay[2:], confdir=tmp_path, command="replay") as replayer:
        new = {"meta": {"nonce": "c3", "timestamp": 1733500000}, "item": "book"}
        hit = requests.post(
            "http://api.example.test/orders", json=new, proxies={"http": replayer.proxy}, timeout=10
        )
    assert (hit.status_code, hit.text) == (200, "ordered")


def test_max_age_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The refusal and the stats line the README shows, for recordings 45 days and a day old."""
    import shlex
    from datetime import UTC, datetime, timedelta

    import requests

    from pretenders_proxy.cassette import writing
    from pretenders_proxy.model.exchange import Exchange, Meta
    from pretenders_proxy.model.http import Request, Response

    block = README.split("<!-- README example: max-age", 1)[1].split("```console\n")[1]
    lines = block.split("```")[0].splitlines()
    now = datetime.now(UTC).replace(microsecond=0)
    old, new = (now - timedelta(days=45)).isoformat(), (now - timedelta(hours=25)).isoformat()

    def recorded(path: bytes, recorded_at: str) -> Exchange:
        request = Request("GET", path, host="api.example.test", port=80)
        return Exchange(request, Response(200, (), b"hello"), Meta(recorded_at=recorded_at))

    monkeypatch.chdir(tmp_path)
    exchanges = [recorded(b"/hello", old), recorded(b"/other", new), recorded(b"/undated", "")]
    writing.write(tmp_path / "api.cassette", exchanges)
    flags = shlex.split(lines[0].removeprefix("$ "))[2:]
    url = shlex.split(lines[1])[-1]
    with launch(flags, confdir=tmp_path, command="replay") as replayer:
        refused = requests.get(url, proxies={"http": replayer.proxy}, timeout=10)
    assert refused.status_code == 404
    shown = lines[2].replace("2026-10-23T09:00:00+00:00", old)
    assert refused.text.splitlines() == [shown]
    command = shlex.split(lines[3].removeprefix("$ ").split(" | ")[0])
    stats = subprocess.run(
        [sys.executable, "-m", "pretenders_proxy", *command[1:]],
        capture_output=True,
        text=True,
        check=True,
    )
    [line] = [line for line in stats.stdout.splitlines() if "recorded" in line]
    expected = lines[4].replace("2026-10-23T09:00:00+00:00", old)
    assert line == expected.replace("2026-12-06T08:00:00+00:00", new)


def test_shared_store_example(redis_server: RedisServer, confdir: Path) -> None:
    """The README's command, on a real redis-server in place of the one on 6379."""
    import shlex

    import requests

    block = README.split("<!-- README example: shared-store", 1)[1].split("```console\n")[1]
    [line] = block.split("```")[0].splitlines()
    line = line.replace("redis://127.0.0.1:6379/0", redis_server.url)
    command = shlex.split(line)
    assert command[:2] == ["pretenders", "serve"] and redis_server.url in command
    with launch(command[2:], confdir=confdir) as server:
        store = requests.get(f"{server.control}/health", timeout=10).json()["store"]
    assert (store["kind"], store["prefix"], store["state"]) == ("redis", "staging", "up")


def test_workers_example(redis_server: RedisServer, confdir: Path) -> None:
    """The README's --workers command, on a real redis-server: two workers answer /health."""
    import shlex

    import requests

    block = README.split("<!-- README example: workers", 1)[1].split("```console\n")[1]
    [line] = block.split("```")[0].splitlines()
    command = shlex.split(line.replace("redis://127.0.0.1:6379/0", redis_server.url))
    assert command[:4] == ["pretenders", "serve", "--workers", "2"]
    with launch(command[2:], confdir=confdir) as server:
        pids = set()
        for _ in range(24):  # fresh connections: both workers answer (odds 2 in 2**24 not)
            pids.add(requests.get(f"{server.control}/health", timeout=10).json()["pid"])
    assert len(pids) == 2 and server.pid not in pids
