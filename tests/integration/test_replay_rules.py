"""How replay answers: equal requests in recorded order, --repeat, near-miss replies,
redaction at record time."""

from pathlib import Path

import pytest
import requests

from pretenders_proxy.testing.launcher import launch
from tests.integration.conftest import AppEnv
from tests.integration.upstream import Upstream

COUNTER_SCRIPT = [("POST", "1"), ("GET", ""), ("POST", "1"), ("GET", "")]


def _play(url: str) -> list[tuple[int, str]]:
    with requests.Session() as session:
        return [
            (answer.status_code, answer.text)
            for answer in (
                session.request(method, url + "/counter", data=body or None)
                for method, body in COUNTER_SCRIPT
            )
        ]


@pytest.fixture
def counter_cassette(upstream: Upstream, cassette: Path, confdir: Path, app_env: AppEnv) -> Path:
    with launch([str(cassette)], confdir=confdir, command="record") as recorder:
        app_env.use(recorder)
        assert _play(upstream.url) == [(201, "1"), (200, "1"), (201, "2"), (200, "2")]
    upstream.stop()
    return cassette


def test_equal_requests_replay_in_recorded_order_then_repeat_the_last(
    counter_cassette: Path, upstream: Upstream, confdir: Path, app_env: AppEnv
) -> None:
    with launch([str(counter_cassette)], confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        assert _play(upstream.url) == [(201, "1"), (200, "1"), (201, "2"), (200, "2")]
        again = requests.get(upstream.url + "/counter")
    assert (again.status_code, again.text) == (200, "2")


def test_repeat_never_turns_the_extra_request_into_a_miss(
    counter_cassette: Path, upstream: Upstream, confdir: Path, app_env: AppEnv
) -> None:
    args = ["--repeat", "never", str(counter_cassette)]
    with launch(args, confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        assert _play(upstream.url) == [(201, "1"), (200, "1"), (201, "2"), (200, "2")]
        extra = requests.get(upstream.url + "/counter")
        misses = requests.get(replayer.control + "/api/requests", params={"source": "miss"}).json()
    assert extra.status_code == 404
    assert extra.headers["X-Pretenders-Miss"] == "1"
    assert "matched 2 recording(s), all played already (repeat: never" in extra.text
    assert [m["path"] for m in misses] == ["/counter"]


def test_a_miss_names_the_closest_recording_and_how_it_differs(
    counter_cassette: Path, upstream: Upstream, confdir: Path, app_env: AppEnv
) -> None:
    with launch([str(counter_cassette)], confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        wrong_query = requests.get(upstream.url + "/counter?page=2")
        wrong_body = requests.post(upstream.url + "/counter", data="5")
        wrong_method = requests.delete(upstream.url + "/counter")
    assert wrong_query.status_code == 404
    assert f"No recording matched GET {upstream.url}/counter?page=2." in wrong_query.text
    assert f"Closest recording: GET {upstream.url}/counter (" in wrong_query.text
    assert "  - query: page=2 (recorded: (none))" in wrong_query.text
    assert f"Closest recording: POST {upstream.url}/counter (" in wrong_body.text
    assert "  - body: 1 bytes b'5' (recorded: 1 bytes b'1')" in wrong_body.text
    assert "  - method: DELETE (recorded: " in wrong_method.text


SECRETS = [b"s3cr3t-bearer", b"s3cr3t-cookie", b"s3cr3t-key", b"s3cr3t-custom", b"s3cr3t-query"]


def _secret_request(url: str, tag: str) -> requests.Response:
    return requests.get(
        url + f"/hello?token=s3cr3t-query{tag}&page=1",
        headers={
            "Authorization": f"Bearer s3cr3t-bearer{tag}",
            "Cookie": f"c=s3cr3t-cookie{tag}",
            "X-Api-Key": f"s3cr3t-key{tag}",
            "X-Custom": f"s3cr3t-custom{tag}",
        },
    )


def test_redacted_values_never_reach_the_file_yet_replay_matches(
    upstream: Upstream, cassette: Path, confdir: Path, app_env: AppEnv
) -> None:
    redact = ["--redact-header", "X-Custom", "--redact-query", "token"]
    with launch([*redact, str(cassette)], confdir=confdir, command="record") as recorder:
        app_env.use(recorder)
        recorded = _secret_request(upstream.url, "")
    upstream.stop()
    content = cassette.read_bytes()
    assert [secret for secret in SECRETS if secret in content] == []
    assert content.count(b"<redacted>") == 5

    match_on = "method,scheme,host,port,path,query,header:X-Api-Key"
    with launch(
        ["--match-on", match_on, str(cassette)], confdir=confdir, command="replay"
    ) as replayer:
        app_env.use(replayer)
        replayed = _secret_request(upstream.url, "-other-values")
        other_page = requests.get(upstream.url + "/hello?token=x&page=2")
    assert (replayed.status_code, replayed.content) == (200, recorded.content)
    assert other_page.status_code == 404
    assert "  - query: token=x&page=2 (recorded: token=<redacted>&page=1)" in other_page.text
