"""Cassettes that carry their own matching, and learning it (issue 17, items 4 and 5): an app
posting a timestamp and a nonce is recorded twice, `cassette noise` names the two fields,
`--write` stores them and replay with new values hits offline, through every surface."""

import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from pretenders_proxy.cassette import matching, writing
from pretenders_proxy.client.v1 import Pretenders
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.integration.conftest import AppEnv, run_pretenders
from tests.integration.upstream import Upstream

NOISE = ["--ignore 'json:$.meta.nonce'", "--ignore 'json:$.meta.timestamp'"]


def run_app(url: str, item: str = "book") -> requests.Response:
    """What the app does: fetch a page, then post an order stamped now with a fresh nonce."""
    assert requests.get(f"{url}/hello", timeout=10).status_code == 200
    body = {"item": item, "meta": {"timestamp": time.time(), "nonce": str(uuid.uuid4())}}
    return requests.post(f"{url}/orders", json=body, timeout=10)


def record(path: Path, upstream: Upstream, confdir: Path, app_env: AppEnv) -> list[str]:
    """`pretenders record PATH` around one run of the app: what the server logged."""
    with launch([str(path)], confdir=confdir, command="record") as recorder:
        app_env.use(recorder)
        assert run_app(upstream.url).status_code == 200
    return recorder.output


def echoed(answer: requests.Response) -> Any:
    return json.loads(answer.text.removeprefix("echo: "))


def test_noise_of_two_recordings_written_makes_offline_replay_hit(
    upstream: Upstream, tmp_path: Path, confdir: Path, app_env: AppEnv
) -> None:
    a, b = tmp_path / "a.cassette", tmp_path / "b.cassette"
    record(a, upstream, confdir, app_env)
    record(b, upstream, confdir, app_env)
    upstream.stop()  # replay from here on is offline
    with launch([str(a)], confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        assert run_app(upstream.url).status_code == 404  # the noise misses
    found = run_pretenders("cassette", "noise", str(a), str(b))
    assert (found.returncode, found.stdout.splitlines()) == (0, NOISE)
    assert "# json:$.meta.nonce: differs in 1 of 2 paired exchanges" in found.stderr
    written = run_pretenders("cassette", "noise", str(a), str(b), "--write")
    assert written.returncode == 0
    assert matching.stored(a) == (("json:$.meta.nonce", "json:$.meta.timestamp"), None)
    with launch([str(a)], confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        hit = run_app(upstream.url)
        mode = requests.get(f"{replayer.control}/api/v1/mode", timeout=10).json()
    assert hit.status_code == 200 and echoed(hit)["item"] == "book"
    assert mode["ignore"] == ["json:$.meta.nonce", "json:$.meta.timestamp"]
    assert run_pretenders("cassette", "noise", str(a), str(b)).stdout == ""  # all known now


def orders(path: Path, **head: Any) -> Path:
    """A cassette of one JSON order (ts 100) answered `ok`, its header holding `head`."""
    headers = ((b"Content-Type", b"application/json"),)
    request = Request(
        "POST", b"/orders", b"", headers, b'{"id": 1, "ts": 100}', host="api.test", port=80
    )
    exchange = Exchange(request, Response(200, (), b"ok"))
    writing.write(path, [exchange])
    if head:
        matching.store(path, head.get("ignore", ()), head.get("match_on"))
    return path


def post(proxy: str | None = None, **body: Any) -> requests.Response:
    """POST the order through `proxy` (None: the one the environment names)."""
    proxies = {"http": proxy} if proxy else None
    return requests.post("http://api.test/orders", json=body, proxies=proxies, timeout=10)


def test_the_header_ignore_applies_on_the_command_line_without_flags(
    tmp_path: Path, confdir: Path
) -> None:
    cassette = orders(tmp_path / "o.cassette")
    added = run_pretenders("cassette", "ignore", str(cassette), "--add", "json:$.ts")
    assert added.returncode == 0
    with launch([str(cassette)], confdir=confdir, command="replay") as replayer:
        assert post(replayer.proxy, id=1, ts=200).text == "ok"
        assert post(replayer.proxy, id=2, ts=200).status_code == 404


def test_the_header_matching_applies_through_the_mode_api_and_the_client(
    server: RunningServer,
    tmp_path: Path,
    app_env: AppEnv,
    session_name: str,
    request: pytest.FixtureRequest,
) -> None:
    stored = orders(tmp_path / "o.cassette", ignore=["json:$.ts"])
    loose = orders(tmp_path / "loose.cassette", match_on=["method", "path"])
    app_env.use(server, session_name)
    client = Pretenders(server.control, session=session_name)
    request.addfinalizer(client.close)
    assert post(id=1, ts=200).status_code == 404  # mock mode
    mode = client.set_mode(mode="replay", cassettes=[str(stored)])  # PUT /api/v1/mode
    assert (mode["ignore"], mode["match_on"][-1]) == (["json:$.ts"], "body")
    assert post(id=1, ts=200).text == "ok"
    assert post(id=2, ts=200).status_code == 404
    client.use_cassette(stored, "none", ignore=["json:$.id"])
    assert client.mode()["ignore"] == ["json:$.id", "json:$.ts"]  # the session's, then its own
    assert post(id=2, ts=300).text == "ok"
    mode = client.use_cassette(loose, "none")
    assert mode["match_on"] == ["method", "path"]
    assert post(anything="else").text == "ok"
    mode = client.use_cassette(loose, "none", match_on=["method", "path", "body"])
    assert mode["match_on"] == ["method", "path", "body"]  # the session's, given, wins
    assert post(anything="else").status_code == 404


def test_the_cassette_marker_applies_the_header_matching(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    orders(pytester.path / "orders.cassette", ignore=["json:$.ts"])
    pytester.makepyfile(
        """
        import pytest, requests

        @pytest.mark.cassette("../orders.cassette", record_mode="none")
        def test_new_timestamp_hits(pretenders):
            answer = requests.post("http://api.test/orders", json={"id": 1, "ts": 7}, timeout=10)
            assert answer.text == "ok"
            assert pretenders.mode()["ignore"] == ["json:$.ts"]
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:anyio")
    result.assert_outcomes(passed=1)


def test_a_bad_header_spec_is_refused_by_name_and_nothing_switches(
    server: RunningServer, tmp_path: Path, session_name: str, request: pytest.FixtureRequest
) -> None:
    good = orders(tmp_path / "good.cassette")
    bad = orders(tmp_path / "bad.cassette")
    head = {**matching.head_of(bad), "ignore": ["json:$.ok", "jsn:$.ts"]}
    writing.rewrite(bad, head, [])
    client = Pretenders(server.control, session=session_name)
    request.addfinalizer(client.close)
    client.use_cassette(good, "none")
    refused = requests.put(
        f"{server.control}/api/v1/mode",
        params={"session": session_name},
        json={"mode": "replay", "cassettes": [str(bad)]},
        timeout=10,
    )
    assert refused.status_code == 400
    assert str(bad) in refused.json()["error"] and "'jsn:$.ts'" in refused.json()["error"]
    assert client.mode()["cassettes"] == [str(good)]  # unchanged
    done = run_pretenders("replay", str(bad))
    assert done.returncode == 2 and "'jsn:$.ts'" in done.stderr and str(bad) in done.stderr
    assert "Traceback" not in done.stderr


def test_cassettes_storing_different_match_on_are_refused_naming_both(
    server: RunningServer, tmp_path: Path, session_name: str, request: pytest.FixtureRequest
) -> None:
    one = orders(tmp_path / "one.cassette", match_on=["method", "path"])
    two = orders(tmp_path / "two.cassette", match_on=["method", "path", "query"])
    client = Pretenders(server.control, session=session_name)
    request.addfinalizer(client.close)
    refused = requests.put(
        f"{server.control}/api/v1/mode",
        params={"session": session_name},
        json={"mode": "replay", "cassettes": [str(one), str(two)]},
        timeout=10,
    )
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert str(one) in error and str(two) in error and "different match_on" in error
    chosen = client.set_mode(
        mode="replay", cassettes=[str(one), str(two)], match_on=["method", "path"]
    )
    assert chosen["recordings"] == 2


def test_recording_over_a_cassette_reports_its_noise_in_the_log(
    upstream: Upstream, tmp_path: Path, confdir: Path, app_env: AppEnv
) -> None:
    cassette = tmp_path / "run.cassette"
    first = record(cassette, upstream, confdir, app_env)
    assert not [line for line in first if "recorded again" in line]
    again = record(cassette, upstream, confdir, app_env)  # appends the second run
    [warning] = [line for line in again if "recorded again" in line]
    assert "json:$.meta.nonce (1 of 2), json:$.meta.timestamp (1 of 2)" in warning
    assert f"pretenders cassette ignore {cassette} --add 'json:$.meta.nonce'" in warning


def test_record_mode_all_reports_the_noise_when_the_recording_ends_and_keeps_the_header(
    upstream: Upstream,
    server: RunningServer,
    tmp_path: Path,
    app_env: AppEnv,
    session_name: str,
    request: pytest.FixtureRequest,
) -> None:
    cassette, other = tmp_path / "run.cassette", tmp_path / "other.cassette"
    app_env.use(server, session_name)
    client = Pretenders(server.control, session=session_name)
    request.addfinalizer(client.close)
    client.use_cassette(cassette, "all")
    run_app(upstream.url)
    assert client.use_cassette(other, "all")["warnings"] == []  # a first recording: no report
    client.use_cassette(cassette, "all")  # recorded again: the old one is kept to compare
    run_app(upstream.url)
    [report] = client.set_mode(mode="mock")["warnings"]  # the recording ends here
    assert report.startswith(f"{cassette} was recorded again: its requests differ from the old")
    assert "json:$.meta.nonce (1 of 2), json:$.meta.timestamp (1 of 2)" in report
    assert client.mode()["warnings"] == [report]
    stored = run_pretenders("cassette", "ignore", str(cassette), "--add", "json:$.meta.nonce")
    assert stored.returncode == 0
    client.use_cassette(cassette, "all")  # the header's matching is kept for the new recording
    run_app(upstream.url)
    [report] = client.use_cassette(other, "none")["warnings"]
    assert "json:$.meta.timestamp (1 of 2)" in report and "nonce" not in report
    assert matching.stored(cassette)[0] == ("json:$.meta.nonce",)


def test_a_recording_ends_with_its_session_and_the_log_says_the_noise(
    upstream: Upstream, tmp_path: Path, confdir: Path, app_env: AppEnv
) -> None:
    """What the pytest marker does with record_mode all: switch, run, delete the session."""
    cassette = tmp_path / "run.cassette"
    with launch(["--cassette-dir", str(tmp_path)], confdir=confdir) as server:
        for _ in range(2):
            with (
                Pretenders(server.control) as root,
                root.session(f"s-{uuid.uuid4().hex[:8]}") as session,
            ):
                session.use_cassette(cassette, "all")
                app_env.use(server, session.name)
                run_app(upstream.url)
                session.delete()
        logged = [line for line in server.output if "was recorded again" in line]
    [warning] = logged
    assert "json:$.meta.nonce (1 of 2), json:$.meta.timestamp (1 of 2)" in warning
