"""The pytest plugin, exercised by running pytest on small test files (pytester)."""

from pathlib import Path

import pytest

from pretenders_proxy.cassette.writing import write
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.testing.launcher import RunningServer

APP = """
import os, sys, requests
print(requests.get(sys.argv[1], timeout=10).text)
"""


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:anyio", *args)


def test_a_test_gets_its_own_session_and_proxy_variables(pytester: pytest.Pytester) -> None:
    app_tests(pytester)
    run(pytester).assert_outcomes(passed=2)


def test_the_plugin_works_the_same_against_a_running_server_on_either_store(
    pytester: pytest.Pytester, server: RunningServer
) -> None:
    app_tests(pytester)
    run(pytester, "--pretenders-url", server.control).assert_outcomes(passed=2)


def app_tests(pytester: pytest.Pytester) -> None:
    """A test running an app in a subprocess against a preset, and one that finds its session
    fresh."""
    pytester.makepyfile(
        app=APP,
        test_app=f"""
        import subprocess, sys, requests

        def test_preset_reaches_a_subprocess(pretenders):
            pretenders.when("GET /greeting", host="api.test").reply("hello from the fake")
            out = subprocess.run([sys.executable, {str(pytester.path / "app.py")!r},
                                  "http://api.test/greeting"],
                                 capture_output=True, text=True, check=True)
            assert out.stdout.strip() == "hello from the fake"
            pretenders.assert_requested("GET /greeting", times=1)

        def test_sessions_are_fresh(pretenders):
            assert pretenders.presets() == [] and pretenders.requests() == []
        """,
    )


def test_a_test_that_leaves_misses_fails_with_the_explanation(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_forgot_a_preset(pretenders):
            pretenders.when("GET /known").reply("ok")
            requests.get("http://api.test/unknown", timeout=10)
        """
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*1 request(s) matched nothing*",
            "*No preset matched GET /unknown*",
            "*Closest: preset*rule 'GET /known'*",
        ]
    )
    run(pytester, "--pretenders-allow-misses").assert_outcomes(passed=1)


def test_a_failing_assertion_shows_the_nearest_miss(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_wrong_path(pretenders):
            pretenders.when("POST").reply(status=201)
            requests.post("http://api.test/order", timeout=10)
            pretenders.assert_requested("POST /orders", times=1)
        """
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*Expected exactly 1 request(s) matching rule 'POST /orders'*",
            "*Closest other request: #* POST http://api.test/order*",
            "*request 'POST /order' does not match rule 'POST /orders'*",
        ]
    )


def test_xdist_workers_share_one_server_and_stay_apart(pytester: pytest.Pytester) -> None:
    seen = pytester.path / "seen"
    seen.mkdir()
    tests = "\n".join(
        f"""
def test_{n}(pretenders):
    pretenders.when("GET /same").reply("{n}")
    for _ in range(20):
        assert requests.get("http://api.test/same", timeout=10).text == "{n}"
    assert len(pretenders.requests()) == 20
    worker = os.environ["PYTEST_XDIST_WORKER"]
    (pathlib.Path({str(seen)!r}) / f"{{worker}}-{n}").write_text(pretenders.url)
"""
        for n in range(6)
    )
    pytester.makepyfile(f"import os, pathlib, requests\n{tests}")
    run(pytester, "-n", "2").assert_outcomes(passed=6)
    workers = {path.name.split("-")[0] for path in seen.iterdir()}
    servers = {path.read_text() for path in seen.iterdir()}
    assert workers == {"gw0", "gw1"} and len(servers) == 1


def test_the_cassette_marker_sets_the_replay_speed(pytester: pytest.Pytester) -> None:
    pieces = [b"data: %d\n\n" % i for i in range(3)]
    timing = tuple((i * 0.3, len(piece)) for i, piece in enumerate(pieces))
    response = Response(200, (), b"".join(pieces), chunks=timing)
    request = Request("GET", b"/sse", host="api.test", port=80)
    write(pytester.path / "sse.cassette", [Exchange(request, response)])
    pytester.makepyfile(
        """
        import time, pytest, requests

        def fetch():
            started = time.monotonic()
            body = requests.get("http://api.test/sse", timeout=10).content
            assert body == b"data: 0\\n\\ndata: 1\\n\\ndata: 2\\n\\n"
            return time.monotonic() - started

        @pytest.mark.cassette("../sse.cassette", record_mode="none", replay_speed=1)
        def test_as_recorded(pretenders):
            assert pretenders.mode()["replay_speed"] == 1
            assert fetch() >= 0.48  # the recorded 0.6 s, within 20%

        @pytest.mark.cassette("../sse.cassette", record_mode="none")
        def test_at_once(pretenders):
            assert pretenders.mode()["replay_speed"] == 0
            assert fetch() < 0.3
        """
    )
    run(pytester).assert_outcomes(passed=2)


def test_the_cassette_marker_takes_the_parts_to_ignore(pytester: pytest.Pytester) -> None:
    headers = ((b"Content-Type", b"application/json"),)
    body = b'{"id": 1, "ts": 100}'
    request = Request("POST", b"/orders", b"", headers, body, host="api.test", port=80)
    write(pytester.path / "orders.cassette", [Exchange(request, Response(200, (), b"ok"))])
    pytester.makepyfile(
        """
        import pytest, requests

        def post(ts):
            return requests.post("http://api.test/orders", json={"ts": ts, "id": 1}, timeout=10)

        @pytest.mark.cassette("../orders.cassette", record_mode="none", ignore=["json:$.ts"])
        def test_ignored(pretenders):
            assert pretenders.mode()["ignore"] == ["json:$.ts"]
            assert post(200).text == "ok"

        @pytest.mark.cassette("../orders.cassette", record_mode="none")
        def test_not_ignored_misses(pretenders):
            assert post(200).status_code == 404
        """
    )
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=1)  # the plugin fails a test whose request missed
    result.stdout.fnmatch_lines(["*test_not_ignored_misses*", "*json:$.ts: 200 vs 100*"])


def test_the_plugin_takes_a_max_age_for_cassette_tests(pytester: pytest.Pytester) -> None:
    from datetime import UTC, datetime, timedelta

    from pretenders_proxy.model.exchange import Meta

    old = (datetime.now(UTC) - timedelta(days=45)).isoformat()
    request = Request("GET", b"/hello", host="api.test", port=80)
    exchange = Exchange(request, Response(200, (), b"old hello"), Meta(recorded_at=old))
    write(pytester.path / "api.cassette", [exchange])
    pytester.makepyfile(
        """
        import pytest, requests

        @pytest.mark.cassette("../api.cassette", record_mode="none")
        def test_hello(pretenders):
            assert requests.get("http://api.test/hello", timeout=10).text == "old hello"
            [seen] = pretenders.requests()
            assert (seen.stale is None) == (pretenders.mode()["max_age"] is None)

        @pytest.mark.cassette("../api.cassette", record_mode="none", max_age="60d")
        def test_a_marker_says_otherwise(pretenders):
            assert requests.get("http://api.test/hello", timeout=10).text == "old hello"
        """
    )
    run(pytester).assert_outcomes(passed=2)
    run(pytester, "--pretenders-max-age", "30d").assert_outcomes(passed=2)  # warn: noted
    failed = run(pytester, "--pretenders-max-age", "30d", "--pretenders-on-stale", "fail")
    failed.assert_outcomes(passed=1, failed=1)
    failed.stdout.fnmatch_lines(["*test_hello*", "*45 days ago, older than max-age 30d*"])
    bad = run(pytester, "--pretenders-max-age", "soon")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["*--pretenders-max-age 'soon' is not a duration like 90s*"])


ASYNC_TESTS = """
import asyncio, gc, smtplib
from email.message import EmailMessage

import httpx, pytest


async def app(pretenders):  # the app, in the test's loop: HTTPS through the proxy, then a mail
    async with httpx.AsyncClient() as client:  # proxy and CA from the environment
        text = (await client.get("https://api.test/ping")).text
    mail = EmailMessage()
    mail["Subject"], mail["From"], mail["To"] = "Your code", "app@x.test", "erin@x.test"
    mail.set_content(text)

    def send():
        with smtplib.SMTP(*pretenders.smtp, timeout=10) as smtp:
            smtp.login(pretenders.name, "x")
            smtp.send_message(mail)

    await asyncio.to_thread(send)


async def scenario(pretenders):
    await pretenders.aio.when("GET /ping", host="api.test").reply("pong")
    async with asyncio.TaskGroup() as tasks:
        tasks.create_task(app(pretenders))
        [seen] = await pretenders.aio.wait_for_requests(1, timeout=10)
        mail = await pretenders.aio.mail.wait(to="erin@", timeout=10)
    assert (seen.path, mail.text.strip()) == ("/ping", "pong")
    await pretenders.aio.assert_requested("GET /ping", host="api.test", times=1)


@pytest.mark.asyncio
async def test_in_a_loop_of_its_own(pretenders):
    await scenario(pretenders)


@pytest.mark.asyncio(loop_scope="module")
async def test_in_the_modules_loop(pretenders):
    await scenario(pretenders)


@pytest.mark.asyncio(loop_scope="session")
async def test_in_the_sessions_loop(pretenders):
    await scenario(pretenders)


@pytest.mark.asyncio(loop_scope="module")
async def test_a_failed_wait_shows_what_arrived(pretenders):
    await pretenders.aio.wait_for_requests(1, timeout=0.2)


def test_nothing_was_left_open():
    gc.collect()  # an unclosed client would warn here, and warnings are errors
"""


def test_asyncio_tests_wait_through_the_async_view_in_any_loop_scope(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_async_view=ASYNC_TESTS)
    result = run(pytester, "-W", "error")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["*WaitTimeoutError: 408: waited 0.2s for 1*"])


def test_node_and_java_subprocesses_reach_the_tests_session(pytester: pytest.Pytester) -> None:
    """The environment the plugin sets is `pretenders run`'s: Node's preload, and Java's options
    pointing at the session's own proxy port (Java sends no proxy credentials)."""
    fetch_java = Path(__file__).parent / "apps" / "Fetch.java"
    pytester.makepyfile(
        test_runtimes=f"""
        import subprocess

        NODE = "fetch(process.argv[1]).then(r => r.text()).then(console.log)"

        def test_node_and_java(pretenders):
            pretenders.when("GET /hi", host="api.example.test").reply("hi from the session")
            url = "https://api.example.test/hi"
            for command in (["node", "-e", NODE, url],
                            ["java", {str(fetch_java)!r}, "httpclient", url]):
                done = subprocess.run(command, capture_output=True, text=True, timeout=120)
                assert done.stdout.strip() == "hi from the session", done.stderr
            pretenders.assert_requested("GET /hi", times=2)
        """
    )
    run(pytester).assert_outcomes(passed=1)
