"""Stale cassettes (issue 17, item 7): `--max-age` with `--on-stale warn|fail|record`, through a
real `pretenders replay` and real clients, on cassettes written with old `recorded_at` times."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from pretenders_proxy.cassette import reading
from pretenders_proxy.cassette.writing import write
from pretenders_proxy.client.v1 import Pretenders
from pretenders_proxy.errors import APIError
from pretenders_proxy.model.exchange import Exchange, Meta
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.integration.conftest import AppEnv, run_pretenders
from tests.integration.upstream import Upstream


def days_ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def recorded(
    path: str, body: bytes, recorded_at: str, host: str = "api.test", port: int = 80
) -> Exchange:
    request = Request("GET", path.encode(), host=host, port=port)
    response = Response(200, ((b"Content-Type", b"text/plain"),), body)
    return Exchange(request, response, Meta(recorded_at=recorded_at))


@pytest.fixture
def aged(cassette: Path) -> Path:
    """/old recorded 45 days ago, /new an hour ago, /undated with no recorded_at."""
    write(
        cassette,
        [
            recorded("/old", b"old answer", days_ago(45)),
            recorded("/new", b"new answer", days_ago(1 / 24)),
            recorded("/undated", b"undated answer", ""),
        ],
    )
    return cassette


def get(path: str) -> requests.Response:
    return requests.get(f"http://api.test{path}", timeout=10)


def history(server: RunningServer, session: str | None = None) -> list[dict[str, object]]:
    params = {"session": session} if session else {}
    answer = requests.get(f"{server.control}/api/v1/requests", params=params, timeout=10)
    entries: list[dict[str, object]] = answer.json()
    return entries


def test_warn_plays_a_stale_recording_and_says_how_old(
    aged: Path, confdir: Path, app_env: AppEnv
) -> None:
    flags = ["--max-age", "30d", str(aged)]
    with launch(flags, confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        answers = [get(path).text for path in ("/old", "/old", "/new", "/undated", "/old")]
        entries = history(replayer)
        mode = requests.get(f"{replayer.control}/api/v1/mode", timeout=10).json()
    assert answers == ["old answer", "old answer", "new answer", "undated answer", "old answer"]
    assert [entry["source"] for entry in entries] == ["cassette"] * 5
    stale = [entry["stale"] for entry in entries]
    assert stale[2:4] == [None, None]  # an hour old; no recorded_at: never stale
    assert stale[0] == stale[1] == stale[4]
    assert isinstance(stale[0], str) and stale[0].startswith("recorded 20")
    assert stale[0].endswith(", 45 days ago, older than max-age 30d")
    assert (mode["max_age"], mode["on_stale"]) == ("30d", "warn")
    warned = [line for line in replayer.output if "stale recording played" in line]
    assert len(warned) == 1  # once per recording, however often it is played
    assert f"GET http://api.test/old ({aged} #1)" in warned[0]


def test_fail_refuses_a_stale_recording_as_a_miss_saying_how_old(
    aged: Path, confdir: Path, app_env: AppEnv
) -> None:
    flags = ["--max-age", "30d", "--on-stale", "fail", str(aged)]
    with launch(flags, confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        refused, fresh = get("/old"), get("/new")
        entries = history(replayer)
        with Pretenders(replayer.control) as client, pytest.raises(AssertionError) as failed:
            client.assert_no_misses()
    assert (refused.status_code, refused.headers["X-Pretenders-Miss"]) == (404, "1")
    assert refused.text.startswith(f"The recording of GET http://api.test/old ({aged} #1) is stale")
    assert ", 45 days ago, older than max-age 30d. on-stale fail refuses it" in refused.text
    assert fresh.text == "new answer"
    assert [(entry["source"], entry["miss"]) for entry in entries] == [
        ("miss", refused.text),
        ("cassette", None),
    ]
    assert entries[0]["stale"] is not None and "45 days ago" in str(failed.value)


def test_record_records_a_stale_exchange_again_in_its_place(
    cassette: Path, upstream: Upstream, confdir: Path, app_env: AppEnv
) -> None:
    stale = recorded("/hello", b"old hello", days_ago(45), "127.0.0.1", upstream.port)
    other = recorded("/hello?x=1", b"kept", days_ago(45), "127.0.0.1", upstream.port)
    write(cassette, [stale, other])
    flags = ["--max-age", "30d", "--on-stale", "record", str(cassette)]
    url = f"{upstream.url}/hello"
    with launch(flags, confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        again = requests.get(url, timeout=10)
        upstream.stop()
        later = requests.get(url, timeout=10)  # from the tape: the upstream is gone
        entries = history(replayer)
    assert (again.text, again.headers["X-Upstream"]) == ("hello, world\n", "yes")
    assert later.text == "hello, world\n"
    assert [entry["source"] for entry in entries] == ["upstream", "cassette"]
    assert "45 days ago" in str(entries[0]["stale"]) and entries[1]["stale"] is None
    exchanges = [stored.exchange for stored in reading.read(cassette).exchanges]
    assert [e.response.body for e in exchanges] == [b"old hello", b"kept", b"hello, world\n"]
    assert datetime.fromisoformat(exchanges[2].meta.recorded_at) > datetime.now(UTC) - timedelta(
        minutes=5
    )
    # A later run finds the re-recording: offline, nothing appended.
    with launch(flags, confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        next_run = requests.get(url, timeout=10)
        entries = history(replayer)
    assert next_run.text == "hello, world\n"
    assert [(entry["source"], entry["stale"]) for entry in entries] == [("cassette", None)]
    assert len(reading.read(cassette).exchanges) == 3


def test_a_bad_max_age_stops_the_command_naming_it(aged: Path) -> None:
    result = run_pretenders("replay", "--max-age", "30x", str(aged))
    assert result.returncode != 0
    assert "max-age '30x' is not a duration like 90s, 15m, 12h, 30d or 2w" in result.stderr


def test_a_session_sets_max_age_and_on_stale_through_the_mode_api_and_the_client(
    aged: Path, server: RunningServer, app_env: AppEnv, session_name: str
) -> None:
    app_env.use(server, session_name)
    client = Pretenders(server.control, session=session_name)
    try:
        shown = client.use_cassette(aged, "none")
        assert (shown["max_age"], shown["on_stale"]) == (None, "warn")
        assert get("/old").text == "old answer"
        shown = client.use_cassette(aged, "none", max_age="30d", on_stale="fail")
        assert (shown["max_age"], shown["on_stale"]) == ("30d", "fail")
        assert get("/old").status_code == 404 and get("/new").text == "new answer"
        [*_, refused, _] = client.requests()
        assert refused.source == "miss" and refused.stale is not None
        params = {"session": session_name}
        bad = requests.put(
            f"{server.control}/api/v1/mode", params=params, json={"max_age": "soon"}, timeout=10
        )
        assert bad.status_code == 400 and "max-age 'soon' is not a duration" in bad.text
        assert client.mode()["max_age"] == "30d"  # unchanged
        with pytest.raises(APIError) as never:
            client.use_cassette(aged, "none", on_stale="record")
        assert never.value.status == 400
        assert "record mode none never records, so on_stale record" in never.value.message
        assert client.set_mode(max_age="off")["max_age"] is None
    finally:
        client.delete()
        client.close()
