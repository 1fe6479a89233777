"""GET|PUT /api/v1/mode switches a session between mock, record and replay in a running server;
bad input gets a 4xx (or a clear error at start) naming the problem."""

from pathlib import Path

import pytest
import requests

from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.integration.conftest import AppEnv, run_pretenders
from tests.integration.upstream import Upstream


def _mode(server: RunningServer, session: str | None = None, **body: object) -> requests.Response:
    params = {"session": session} if session else {}
    if not body:
        return requests.get(server.control + "/api/v1/mode", params=params)
    return requests.put(server.control + "/api/v1/mode", params=params, json=body)


def test_switch_from_record_to_replay_without_a_restart(
    upstream: Upstream, cassette: Path, confdir: Path, app_env: AppEnv
) -> None:
    with launch(["--cassette-dir", str(cassette.parent)], confdir=confdir) as server:
        app_env.use(server)
        assert _mode(server).json()["mode"] == "mock"
        assert requests.get(upstream.url + "/hello").status_code == 404  # mock: a miss

        recording = _mode(server, mode="record", cassettes=[str(cassette)]).json()
        assert recording["recording_to"] == str(cassette)
        live = requests.get(upstream.url + "/hello")
        assert live.headers["X-Upstream"] == "yes"

        replaying = _mode(server, mode="replay").json()  # the same cassette, now replayed
        assert (replaying["mode"], replaying["recordings"]) == ("replay", 1)
        upstream.stop()
        replayed = requests.get(upstream.url + "/hello")
        sources = requests.get(server.control + "/api/requests").json()
    assert (replayed.status_code, replayed.content) == (200, live.content)
    assert [s["source"] for s in sources][-3:] == ["miss", "upstream", "cassette"]


def test_each_session_has_its_own_mode(
    upstream: Upstream, cassette: Path, server: RunningServer, session_name: str, app_env: AppEnv
) -> None:
    body = {"mode": "record", "cassettes": [str(cassette)]}
    assert _mode(server, session_name, **body).status_code == 200
    app_env.use(server, session=session_name)
    assert requests.get(upstream.url + "/hello").status_code == 200
    assert _mode(server, session_name, mode="replay").json()["recordings"] == 1
    assert _mode(server).json()["mode"] == "mock"  # `default` did not change
    upstream.stop()
    assert requests.get(upstream.url + "/hello").status_code == 200
    app_env.use(server)  # the default session: mock, so a miss
    assert requests.get(upstream.url + "/hello").status_code == 404


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("{not json", "request body is not valid JSON"),
        ({"mode": "fly"}, "mode: Input should be 'mock', 'record' or 'replay'"),
        ({"mode": "replay", "cassettes": []}, "replay mode needs a cassette"),
        ({"mode": "replay", "cassettes": ["no-such.cassette"]}, "cannot read cassette /"),
        ({"mode": "replay", "cassettes": ["/no/such.cassette"]}, "outside the cassette directory"),
        ({"cassettes": ["a\u0000b"]}, "cannot be used: embedded null byte"),
        ({"match_on": ["method", "colour"]}, "match-on: unknown field 'colour'"),
        ({"on_miss": "shrug"}, "on_miss: Input should be 'error', 'passthrough' or 'record'"),
        ({"cassettes": "x.cassette"}, "cassettes: Input should be a valid list"),
        (
            {"record_mode": "once", "mode": "record", "cassettes": ["x.cassette"]},
            "record_mode decides mode and on_miss itself: give record_mode or mode, not both",
        ),
        (
            {"record_mode": "once", "cassettes": ["a.cassette", "b.cassette"]},
            "record_mode needs the one cassette it applies to in cassettes",
        ),
        ({"record_mode": "never"}, "record_mode: Input should be 'none', 'once', 'new_episodes'"),
        ({"record_mode": "all", "cassettes": ["/no/such.cassette"]}, "outside the cassette dir"),
    ],
)
def test_bad_mode_requests_get_a_400_naming_the_problem(
    server: RunningServer, session_name: str, body: object, problem: str
) -> None:
    requests.post(server.control + "/api/v1/sessions", json={"name": session_name})
    url = server.control + f"/api/v1/mode?session={session_name}"
    data = body if isinstance(body, str) else None
    answer = requests.put(url, data=data, json=None if data else body)
    assert answer.status_code == 400
    assert problem in answer.json()["error"]
    assert requests.get(url).json()["mode"] == "mock"  # nothing changed


def test_mode_of_an_unknown_session_is_a_404(server: RunningServer) -> None:
    answer = _mode(server, "no-such-session")
    assert answer.status_code == 404
    assert "no-such-session" in answer.json()["error"]


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["serve", "--reverse", "api.example.com"], "expected URL=PORT"),
        (["serve", "--reverse", "ftp://x=9001"], "is not an http:// or https:// URL"),
        (["serve", "--reverse", "https://x/v1=9001"], "the URL takes no path"),
        (["serve", "--reverse", "https://x=99999"], "'99999' is not a TCP port"),
        (["replay", "/no/such.cassette"], "cannot read cassette /no/such.cassette"),
        (["replay", "--match-on", "colour", "x.cassette"], "match-on: unknown field 'colour'"),
        (["record", "/no/such/dir/x.cassette"], "cannot write cassette /no/such/dir/x.cassette"),
        (["serve", "--upstream-ca", "/no/ca.pem"], "--upstream-ca /no/ca.pem: cannot read it"),
    ],
)
def test_bad_command_lines_exit_with_a_clear_message(args: list[str], problem: str) -> None:
    done = run_pretenders(*args)
    assert done.returncode == 2
    assert problem in done.stderr
    assert "Traceback" not in done.stderr
