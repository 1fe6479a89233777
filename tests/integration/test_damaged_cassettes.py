"""A killed recorder loses nothing completed; damaged files load what they can or are refused."""

import os
import threading
from pathlib import Path

import requests

from pretenders_proxy.testing.launcher import launch
from tests.integration.conftest import AppEnv, run_pretenders
from tests.integration.upstream import Upstream


def _ask(url: str, count: int) -> list[tuple[int, str]]:
    answers = [requests.post(url + "/echo", data=f"request {n}") for n in range(count)]
    return [(answer.status_code, answer.text) for answer in answers]


def test_a_recorder_killed_mid_run_leaves_every_completed_exchange(
    upstream: Upstream, cassette: Path, confdir: Path, app_env: AppEnv
) -> None:
    in_flight: list[BaseException] = []

    def slow() -> None:
        try:
            requests.get(upstream.url + "/slow", timeout=10)
        except requests.RequestException as e:
            in_flight.append(e)

    with launch([str(cassette)], confdir=confdir, command="record") as recorder:
        app_env.use(recorder)
        recorded = _ask(upstream.url, 5)
        waiting = threading.Thread(target=slow)
        waiting.start()
        assert upstream.waiting.wait(10)
        recorder.process.kill()  # SIGKILL while an exchange is in flight: no cleanup at all
        recorder.process.wait()
        waiting.join()
    upstream.stop()
    assert recorded == [(200, f"echo: request {n}") for n in range(5)]
    assert len(in_flight) == 1

    with launch([str(cassette)], confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        assert _ask(upstream.url, 5) == recorded


def test_a_truncated_cassette_loads_with_a_warning(
    upstream: Upstream, cassette: Path, confdir: Path, app_env: AppEnv
) -> None:
    with launch([str(cassette)], confdir=confdir, command="record") as recorder:
        app_env.use(recorder)
        recorded = _ask(upstream.url, 3)
    upstream.stop()
    size = cassette.stat().st_size
    os.truncate(cassette, size - 10)  # the last exchange, cut short

    with launch([str(cassette)], confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        replayed = _ask(upstream.url, 3)
        mode = requests.get(replayer.control + "/api/v1/mode").json()
    assert replayed[:2] == recorded[:2]
    assert replayed[2][0] == 404
    assert any("warning" in line and "incomplete" in line for line in replayer.output)
    assert mode["recordings"] == 2
    assert "is incomplete" in mode["warnings"][0] and str(cassette) in mode["warnings"][0]


def test_a_random_bytes_file_is_refused_naming_the_file_and_offset(tmp_path: Path) -> None:
    junk = tmp_path / "junk.cassette"
    junk.write_bytes(bytes.fromhex("c1") + os.urandom(500))
    done = run_pretenders("replay", str(junk))
    assert done.returncode == 2
    assert f"{junk} is not a pretenders cassette (byte 0:" in done.stderr


def test_damage_after_good_items_is_refused_at_its_offset(
    upstream: Upstream, cassette: Path, confdir: Path, app_env: AppEnv
) -> None:
    with launch([str(cassette)], confdir=confdir, command="record") as recorder:
        app_env.use(recorder)
        _ask(upstream.url, 2)
    good = cassette.stat().st_size
    with cassette.open("ab") as stream:
        stream.write(b"\xc1 garbage")
    done = run_pretenders("replay", str(cassette))
    assert done.returncode == 2
    assert f"{cassette} is damaged (byte {good}:" in done.stderr


def test_a_cassette_changed_in_place_while_replaying_fails_closed_saying_so(
    upstream: Upstream, cassette: Path, confdir: Path, app_env: AppEnv
) -> None:
    with launch([str(cassette)], confdir=confdir, command="record") as recorder:
        app_env.use(recorder)
        recorded = _ask(upstream.url, 2)
    upstream.stop()
    with launch([str(cassette)], confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        assert _ask(upstream.url, 1) == recorded[:1]  # responses are read from the file ...
        with cassette.open("r+b") as stream:  # ... which another program now changes in place
            stream.seek(-4, os.SEEK_END)
            stream.write(b"\x00" * 8)
        answer = requests.post(upstream.url + "/echo", data="request 1")
    assert answer.status_code == 500
    assert answer.headers["X-Pretenders-Error"] == "1"
    assert f"cassette {cassette} changed on disk since it was loaded" in answer.text
