"""Replay that survives volatile fields (issue 17): JSON bodies compared parsed, `--ignore`, and a
near-miss naming the differing parts in the grammar `--ignore` takes."""

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from pretenders_proxy.client.v1 import Pretenders
from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.integration.conftest import AppEnv
from tests.integration.upstream import Upstream


def order(item: str = "book", **meta: Any) -> dict[str, Any]:
    """What the app posts: the same order, with a new timestamp and nonce each time."""
    stamp = meta.pop("timestamp", int(time.time() * 1000))
    return {"item": item, "qty": 1, "meta": {"timestamp": stamp, "nonce": uuid.uuid4().hex}}


def post(url: str, body: object, query: str = "", **headers: str) -> requests.Response:
    data = json.dumps(body) if not isinstance(body, str) else body
    headers = {"Content-Type": "application/json", **headers}
    return requests.post(f"{url}/orders{query}", data=data, headers=headers, timeout=10)


RECORDED = order(timestamp=1732000000)


@pytest.fixture
def orders(upstream: Upstream, cassette: Path, confdir: Path, app_env: AppEnv) -> Path:
    """A cassette of one order posted to the echo upstream, which is then stopped."""
    with launch([str(cassette)], confdir=confdir, command="record") as recorder:
        app_env.use(recorder)
        answer = post(upstream.url, RECORDED, "?_ts=1", **{"X-Request-Id": "r-1"})
        assert answer.status_code == 200 and answer.text.startswith("echo: ")
    upstream.stop()
    return cassette


@contextmanager
def replay(cassette: Path, confdir: Path, app_env: AppEnv, *flags: str) -> Iterator[RunningServer]:
    with launch([*flags, str(cassette)], confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        yield replayer


def test_new_volatile_values_miss_naming_the_json_paths_to_ignore(
    orders: Path, upstream: Upstream, confdir: Path, app_env: AppEnv
) -> None:
    with replay(orders, confdir, app_env) as replayer:
        missed = post(upstream.url, order(timestamp=1733500000), "?_ts=1")
        history = requests.get(f"{replayer.control}/api/v1/requests", timeout=10)
    assert missed.status_code == 404 and missed.headers["X-Pretenders-Miss"] == "1"
    assert "Values that differ (this request vs the recording), as --ignore takes them:" in (
        missed.text
    )
    assert "  json:$.meta.timestamp: 1733500000 vs 1732000000\n" in missed.text
    assert '  json:$.meta.nonce: "' in missed.text
    assert "json:$.item" not in missed.text
    [entry] = history.json()
    assert "json:$.meta.timestamp: 1733500000 vs 1732000000" in entry["miss"]


def test_with_those_parts_ignored_the_request_hits(
    orders: Path, upstream: Upstream, confdir: Path, app_env: AppEnv
) -> None:
    flags = ["--ignore", "json:$.meta.timestamp", "--ignore", "json:$..nonce"]
    with replay(orders, confdir, app_env, *flags):
        hit = post(upstream.url, order(), "?_ts=1")
        other_item = post(upstream.url, order("pen"), "?_ts=1")
    assert hit.status_code == 200 and json.loads(hit.text.removeprefix("echo: ")) == RECORDED
    assert other_item.status_code == 404
    assert '  json:$.item: "pen" vs "book"\n' in other_item.text
    assert "timestamp" not in other_item.text.split("as --ignore takes them:")[1]


def test_reordered_keys_and_other_whitespace_hit_without_flags(
    orders: Path, upstream: Upstream, confdir: Path, app_env: AppEnv
) -> None:
    reordered = {"meta": dict(reversed(RECORDED["meta"].items())), "qty": 1.0, "item": "book"}
    with replay(orders, confdir, app_env):
        hit = post(upstream.url, json.dumps(reordered, indent=4), "?_ts=1")
    assert hit.status_code == 200 and json.loads(hit.text.removeprefix("echo: ")) == RECORDED


def test_query_and_header_values_are_named_and_ignored(
    orders: Path, upstream: Upstream, confdir: Path, app_env: AppEnv
) -> None:
    fields = "method,scheme,host,port,path,query,body,header:X-Request-Id"
    with replay(orders, confdir, app_env, "--match-on", fields):
        missed = post(upstream.url, RECORDED, "?_ts=2", **{"X-Request-Id": "r-2"})
    assert "  query:_ts: 2 vs 1\n" in missed.text
    assert "  header:X-Request-Id: r-2 vs r-1\n" in missed.text
    ignoring = ["--ignore", "query:_ts", "--ignore", "header:X-Request-Id"]
    with replay(orders, confdir, app_env, "--match-on", fields, *ignoring):
        hit = post(upstream.url, RECORDED, "?_ts=2", **{"X-Request-Id": "r-2"})
    assert hit.status_code == 200


def test_assert_requested_lists_the_differing_json_paths(
    control: str, session: str, proxy: str
) -> None:
    body = {"user": {"name": "ann", "id": 7}, "ts": 1}
    requests.post("http://shop.test/users", json=body, proxies={"http": proxy}, timeout=10)
    with Pretenders(control, session=session) as client, pytest.raises(AssertionError) as failed:
        client.assert_requested("POST /users", json={"user": {"name": "bob"}})
    assert "Values that differ (this request vs the rule):" in str(failed.value)
    assert '  json:$.user.name: "ann" vs "bob"' in str(failed.value)


def test_a_session_ignores_parts_through_the_mode_api_and_the_client(
    orders: Path,
    upstream: Upstream,
    server: RunningServer,
    app_env: AppEnv,
    session_name: str,
    request: pytest.FixtureRequest,
) -> None:
    app_env.use(server, session_name)
    client = Pretenders(server.control, session=session_name)
    request.addfinalizer(client.close)
    client.use_cassette(orders, "none")
    assert client.mode()["ignore"] == []
    assert post(upstream.url, order(), "?_ts=1").status_code == 404
    switched = client.use_cassette(
        orders, "none", ignore=["json:$.meta.timestamp", "json:$..nonce"]
    )
    assert switched["ignore"] == ["json:$.meta.timestamp", "json:$..nonce"]
    assert post(upstream.url, order(), "?_ts=1").status_code == 200
    refused = requests.put(
        f"{server.control}/api/v1/mode",
        params={"session": session_name},
        json={"ignore": ["json:$.a["]},
        timeout=10,
    )
    assert refused.status_code == 400 and "unclosed bracket" in refused.text
    assert client.mode()["ignore"] == ["json:$.meta.timestamp", "json:$..nonce"]  # unchanged
