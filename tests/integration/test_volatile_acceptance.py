"""Issue 17's "done when", as a user meets it: an app whose requests carry a timestamp and a
nonce, recorded through a real pretenders from a real local upstream, then replayed offline,
its noise learned, its drift checked and its age limited."""

import json
import time
import uuid
from pathlib import Path
from typing import Any

import requests

from pretenders_proxy.cassette.reading import read
from pretenders_proxy.testing.launcher import launch
from tests.integration.conftest import AppEnv, run_pretenders
from tests.integration.upstream import Upstream

PASTE = ["--ignore 'json:$.meta.nonce'", "--ignore 'json:$.meta.timestamp'"]


def stamped() -> dict[str, Any]:
    return {"item": "book", "qty": 1, "meta": {"timestamp": time.time(), "nonce": uuid.uuid4().hex}}


def post(url: str, body: str) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    return requests.post(f"{url}/orders", data=body, headers=headers, timeout=10)


def run_app(url: str) -> tuple[requests.Response, requests.Response]:
    """What the app does: read the user, then post an order stamped now with a new nonce."""
    user = requests.get(f"{url}/users/1", timeout=10)
    return user, post(url, json.dumps(stamped()))


def record(cassette: Path, upstream: Upstream, confdir: Path, app_env: AppEnv) -> None:
    with launch([str(cassette)], confdir=confdir, command="record") as recorder:
        app_env.use(recorder)
        assert [answer.status_code for answer in run_app(upstream.url)] == [200, 200]


def test_volatile_fields_noise_drift_and_age(
    upstream: Upstream, tmp_path: Path, confdir: Path, app_env: AppEnv
) -> None:
    monday, tuesday = tmp_path / "monday.cassette", tmp_path / "tuesday.cassette"
    # recorded under a name the app uses; --map-host is not needed: the app calls the upstream
    record(monday, upstream, confdir, app_env)
    record(tuesday, upstream, confdir, app_env)
    base = upstream.url

    with launch([str(monday)], confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        missed = post(base, json.dumps(stamped()))
        recorded = json.loads(read(monday).exchanges[1].exchange.request.body)
        reordered = json.dumps(dict(reversed(list(recorded.items()))), indent=3)
        hit_reordered = post(base, reordered)
    assert missed.status_code == 404
    assert "json:$.meta.timestamp: " in missed.text and "json:$.meta.nonce: " in missed.text
    assert hit_reordered.status_code == 200  # the same order, keys reordered: no flag needed

    flags = ["--ignore", "json:$.meta.timestamp", "--ignore", "json:$.meta.nonce"]
    with launch([*flags, str(monday)], confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        assert post(base, json.dumps(stamped())).status_code == 200

    noise = run_pretenders("cassette", "noise", str(monday), str(tuesday), "--write")
    assert (noise.returncode, noise.stdout.splitlines()) == (0, PASTE)
    with launch([str(monday)], confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)  # stored in the cassette: no flags
        assert post(base, json.dumps(stamped())).status_code == 200

    unchanged = run_pretenders("cassette", "drift", str(monday))
    assert unchanged.returncode == 0, unchanged.stdout + unchanged.stderr
    upstream.user = {"user": {"id": "1", "name": "Ada", "roles": ["admin"]}, "at": "now"}
    drifted = run_pretenders("cassette", "drift", str(monday))
    assert drifted.returncode == 1
    assert "json:$.user.id: int vs str" in drifted.stdout

    time.sleep(1.2)  # every recording is now older than a max-age of one second
    with launch(["--max-age", "1s", str(monday)], confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        old = requests.get(f"{base}/users/1", timeout=10)
        [entry] = requests.get(f"{replayer.control}/api/v1/requests", timeout=10).json()
    assert old.json()["user"]["id"] == 1 and "older than max-age 1s" in entry["stale"]
    flags = ["--max-age", "1s", "--on-stale", "record", str(monday)]
    with launch(flags, confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        fresh = requests.get(f"{base}/users/1", timeout=10)
    assert fresh.json()["user"]["id"] == "1"  # recorded again from the changed upstream
    exchanges = [stored.exchange for stored in read(monday).exchanges]
    assert len(exchanges) == 3 and exchanges[-1].request.path == b"/users/1"
