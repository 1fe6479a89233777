"""The pytest plugin, exercised by running pytest on small test files (pytester)."""

import pytest

APP = """
import os, sys, requests
print(requests.get(sys.argv[1], timeout=10).text)
"""


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:anyio", *args)


def test_a_test_gets_its_own_session_and_proxy_variables(pytester: pytest.Pytester) -> None:
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
    run(pytester).assert_outcomes(passed=2)


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
