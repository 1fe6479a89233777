"""Recordings in the shapes other tools really write them, imported by `pretenders cassette
import` and answered by a real `pretenders replay` to real clients: Playwright's attach-mode
HAR, an httpx-era VCR.py cassette, a WireMock JSON POST and a mapping for any method, a
Hoverfly v1 simulation and one with a bodyFile."""

import json
from pathlib import Path

import httpx
import requests

from pretenders_proxy.testing.launcher import launch
from tests.integration.conftest import AppEnv
from tests.integration.test_cassette_interop import CHROMIUM, CHROMIUM_ARGS, imported
from tests.integration.upstream import Upstream


def answers(cassette: Path, confdir: Path, app_env: AppEnv, calls: list[tuple]) -> list[tuple]:
    """(status, body) of each (method, url, json body or None), sent through the proxy."""
    with launch([str(cassette)], confdir=confdir, command="replay") as server:
        app_env.use(server)
        seen = []
        for method, url, body in calls:
            answer = requests.request(method, url, json=body, timeout=30)
            seen.append((answer.status_code, answer.content))
        return seen


def test_a_playwright_attach_mode_har_replays_its_bodies(
    upstream: Upstream, tmp_path: Path, confdir: Path, app_env: AppEnv
) -> None:
    from playwright.sync_api import sync_playwright

    url = upstream.url + "/hello"
    har = tmp_path / "attached.har"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(record_har_path=str(har), record_har_content="attach")
        page = context.new_page()
        assert page.goto(url) is not None
        page.wait_for_load_state("networkidle")
        context.close()
        browser.close()
    live = requests.get(url, timeout=30).content
    upstream.stop()
    (entry,) = json.loads(har.read_text())["log"]["entries"]
    assert "_file" in entry["response"]["content"]  # the body is in a file beside the HAR
    imported(har, tmp_path / "attached.cassette")
    assert answers(tmp_path / "attached.cassette", confdir, app_env, [("GET", url, None)]) == [
        (200, live)
    ]


HTTPX_CASSETTE = """\
interactions:
- request:
    body: ''
    headers: {host: [api.vcr.test]}
    method: GET
    uri: http://api.vcr.test/auth?foo=bar
  response:
    content: '{"authenticated": true}'
    headers:
      Content-Encoding: [br]
      Content-Type: [application/json]
    http_version: HTTP/1.1
    status_code: 200
version: 1
"""


def test_an_httpx_era_vcr_cassette_replays_to_httpx(
    tmp_path: Path, confdir: Path, app_env: AppEnv
) -> None:
    source = tmp_path / "httpx.yml"
    source.write_text(HTTPX_CASSETTE)
    report = imported(source, tmp_path / "vcr.cassette")
    assert "response Content-Encoding (VCR.py saved the body decoded)" in report
    with launch([str(tmp_path / "vcr.cassette")], confdir=confdir, command="replay") as server:
        app_env.use(server)
        with httpx.Client(trust_env=True, timeout=30) as client:
            answer = client.get("http://api.vcr.test/auth?foo=bar")
    assert (answer.status_code, answer.json()) == (200, {"authenticated": True})


def wiremock_tree(root: Path) -> None:
    (root / "mappings").mkdir(parents=True)
    stubs = {
        "keys.json": {
            "request": {
                "url": "/repos/o/r/keys",
                "method": "POST",
                "bodyPatterns": [
                    {"equalToJson": '{"title":"test","read_only":false}', "ignoreArrayOrder": True}
                ],
            },
            "response": {"status": 201, "body": "made"},
        },
        "ping.json": {"request": {"url": "/ping"}, "response": {"status": 200, "body": "pong"}},
        "user.json": {
            "request": {
                "method": "GET",
                "urlPath": "/user",
                "queryParameters": {"pretty": {"equalTo": "true"}},
            },
            "response": {"status": 200, "body": "{{now}}", "transformers": ["response-template"]},
        },
    }
    for name, stub in stubs.items():
        (root / "mappings" / name).write_text(json.dumps(stub))


def test_wiremock_json_posts_any_methods_and_query_parameters_replay(
    tmp_path: Path, confdir: Path, app_env: AppEnv
) -> None:
    wiremock_tree(tmp_path / "wm")
    report = imported(tmp_path / "wm", tmp_path / "wm.cassette", "--base-url", "http://gh.test")
    assert "response templates ({{...}} replayed literally, not rendered) (1 exchange)" in report
    assert "matching of any method" in report
    calls = [
        # the client's own key order and spacing: WireMock's equalToJson matches it, so do we
        ("POST", "http://gh.test/repos/o/r/keys", {"read_only": False, "title": "test"}),
        ("DELETE", "http://gh.test/ping", None),
        ("PUT", "http://gh.test/ping", None),
        ("GET", "http://gh.test/user?pretty=true", None),
    ]
    assert answers(tmp_path / "wm.cassette", confdir, app_env, calls) == [
        (201, b"made"),
        (200, b"pong"),
        (200, b"pong"),
        (200, b"{{now}}"),
    ]


def test_hoverfly_v1_and_body_file_simulations_replay(
    tmp_path: Path, confdir: Path, app_env: AppEnv
) -> None:
    v1 = {
        "data": {"pairs": [{
            "request": {"requestType": "recording", "destination": "hf.test", "method": "GET",
                        "scheme": "http", "path": "/v1", "query": "a=1", "body": ""},
            "response": {"status": 200, "body": "from v1", "encodedBody": False, "headers": {}},
        }]},
        "meta": {"schemaVersion": "v1"},
    }  # fmt: skip
    exact = [{"matcher": "Exact", "value": "/booking"}]
    v5 = {
        "data": {"pairs": [{
            "request": {"path": exact, "method": [{"matcher": "EXACT", "value": "GET"}],
                        "destination": [{"matcher": "exact", "value": "hf.test"}],
                        "scheme": [{"matcher": "exact", "value": ""}]},
            "response": {"status": 200, "bodyFile": "responses/booking.json", "headers": {}},
        }]},
        "meta": {"schemaVersion": "v5.3"},
    }  # fmt: skip
    (tmp_path / "responses").mkdir()
    (tmp_path / "responses" / "booking.json").write_text('{"bookingId": "1"}')
    (tmp_path / "v1.json").write_text(json.dumps(v1))
    (tmp_path / "v5.json").write_text(json.dumps(v5))
    imported(tmp_path / "v1.json", tmp_path / "v1.cassette")
    report = imported(tmp_path / "v5.json", tmp_path / "v5.cassette")
    assert "pairs with no scheme or an empty one (imported as http" in report
    assert answers(tmp_path / "v1.cassette", confdir, app_env, [
        ("GET", "http://hf.test/v1?a=1", None)]) == [(200, b"from v1")]  # fmt: skip
    assert answers(tmp_path / "v5.cassette", confdir, app_env, [
        ("GET", "http://hf.test/booking", None)]) == [(200, b'{"bookingId": "1"}')]  # fmt: skip
