"""Faults while recording: a broken upstream gets the client a 502 that says why and writes
nothing; a cassette that cannot be written is reported by the API and /health while the proxy
keeps answering, and what was written before stays readable."""

import resource
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from pretenders_proxy.cassette.reading import read
from pretenders_proxy.testing.launcher import RunningServer, launch, start
from tests.integration.conftest import run_pretenders
from tests.integration.faulty import OK_BODY, FaultyUpstream, refused_url
from tests.integration.upstream import Upstream


@pytest.fixture
def faulty() -> Iterator[FaultyUpstream]:
    running = FaultyUpstream()
    yield running
    running.stop()


@pytest.fixture
def recorder(tmp_path: Path) -> Iterator[RunningServer]:
    cassette = tmp_path / "faults.cassette"
    with launch(
        [str(cassette), "--upstream-timeout", "1"], confdir=tmp_path, command="record"
    ) as s:
        yield s


def _get(server: RunningServer, url: str) -> requests.Response:
    return requests.get(url, proxies={"http": server.proxy}, timeout=30)


@pytest.mark.parametrize(
    ("fault", "explanation"),
    [
        ("refused", "Connect call failed"),
        ("/reset", "server closed connection"),
        ("/truncated", "peer closed connection without sending complete message body"),
        ("/garbage", "Cannot parse HTTP response"),
        ("/hang", "server closed connection"),  # closed by pretenders after --upstream-timeout
    ],
)
def test_a_broken_upstream_gets_a_502_and_nothing_is_recorded(
    recorder: RunningServer, faulty: FaultyUpstream, tmp_path: Path, fault: str, explanation: str
) -> None:
    url = refused_url() + "/x" if fault == "refused" else faulty.url + fault
    answer = _get(recorder, url)
    assert answer.status_code == 502
    assert explanation in answer.text
    assert _get(recorder, faulty.url + "/ok").content == OK_BODY  # the proxy keeps serving
    seen = requests.get(recorder.control + "/api/v1/requests", timeout=10).json()
    failed = next(item for item in seen if item["url"] == url)
    assert failed["status"] is None and failed["error"]
    if fault == "/hang":
        assert "did not answer within 1s" in failed["error"]
    recorded = read(tmp_path / "faults.cassette").exchanges
    assert [s.exchange.request.path for s in recorded] == [b"/ok"]


@contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """Processes started in the block may write files up to `limit` bytes (then EFBIG): a disk
    that fills up, for the server only. Python ignores SIGXFSZ, so writes fail, not the process."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def test_a_full_disk_is_reported_and_what_was_written_stays(
    tmp_path: Path, upstream: Upstream
) -> None:
    cassette = tmp_path / "full.cassette"
    body = b"x" * 10_000  # each exchange holds it twice: about 20 KB
    with file_size_limit(64 * 1024):
        server = start([str(cassette)], confdir=tmp_path, command="record")
    try:
        proxies = {"http": server.proxy}
        answers = [
            requests.post(f"{upstream.url}/n{n}", data=body, proxies=proxies, timeout=30)
            for n in range(5)
        ]
        statuses = [answer.status_code for answer in answers]
        assert statuses[:2] == [200, 200] and statuses[-1] == 500
        assert "could not be recorded" in answers[-1].text
        mode = requests.get(server.control + "/api/v1/mode", timeout=10).json()
        assert "cannot append to cassette" in mode["recording_error"]
        health = requests.get(server.control + "/health", timeout=10).json()
        assert health["status"] == "degraded"
        assert str(cassette) in health["problems"][0]
        # presets still answer, and the mocks
        preset = {"rule": "GET /still", "host": "x.test", "text": "here"}
        requests.post(server.control + "/api/v1/presets", json=preset, timeout=10)
        assert requests.get("http://x.test/still", proxies=proxies, timeout=10).text == "here"
    finally:
        server.stop()
        server.discard_log()
    assert any("NOT RECORDED" in line for line in server.output)
    loaded = read(cassette)
    written = statuses.index(500)
    assert loaded.truncated_at is None
    assert [s.exchange.request.path for s in loaded.exchanges] == [
        f"/n{n}".encode() for n in range(written)
    ]


def test_recording_to_dev_full_refuses_to_start(tmp_path: Path) -> None:
    done = run_pretenders("record", "/dev/full", "--confdir", str(tmp_path))
    assert done.returncode == 2
    # a device is no cassette (issue 15); a full disk itself: the RLIMIT_FSIZE test above
    assert "/dev/full is a device, not a regular file" in done.stderr


def test_an_unwritable_cassette_from_the_api_is_a_400_and_changes_nothing(
    server: RunningServer, session_name: str, tmp_path: Path
) -> None:
    (tmp_path / "file").write_text("a file, not a directory")
    body = {"mode": "record", "cassettes": [str(tmp_path / "file" / "x.cassette")]}
    url = f"{server.control}/api/v1/mode?session={session_name}"
    answer = requests.put(url, json=body, timeout=10)
    assert answer.status_code == 400
    assert "cannot write cassette" in answer.json()["error"]
    assert "Not a directory" in answer.json()["error"]
    assert requests.get(url, timeout=10).json()["mode"] == "mock"
