"""The addons load into a stock mitmproxy: `mitmdump -s addons/pretenders.py`."""

import subprocess
import sys
import time
from pathlib import Path

import requests

from pretenders_proxy.cassette import reading, writing
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.server import ready
from tests.integration.streaming import StreamingUpstream

ADDON = Path(__file__).parents[2] / "addons" / "pretenders.py"


def test_mitmdump_replays_a_cassette_with_the_pretenders_addons(tmp_path: Path) -> None:
    cassette = tmp_path / "api.cassette"
    known = Request("GET", b"/hello", host="api.example.test", port=80)
    writing.write(cassette, [Exchange(known, Response(200, ((b"X-From", b"cassette"),), b"hi\n"))])
    mitmdump = Path(sys.executable).parent / "mitmdump"
    ready_file = tmp_path / "ready.json"
    command = [
        str(mitmdump), "-s", str(ADDON), "--listen-host", "127.0.0.1", "--listen-port", "0",
        "--set", f"confdir={tmp_path / 'conf'}", "--set", "pretenders_api_port=0",
        "--set", "pretenders_mode=replay", "--set", f"pretenders_cassettes={cassette}",
        "--set", f"pretenders_ready_file={ready_file}",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while (found := ready.read(ready_file)) is None:
            assert process.poll() is None and time.monotonic() < deadline, "mitmdump did not start"
            time.sleep(0.02)
        listeners = found["listeners"]
        proxies = {"http": listeners["proxy"]}
        replayed = requests.get("http://api.example.test/hello", proxies=proxies)
        missed = requests.get("http://api.example.test/other", proxies=proxies)
        mode = requests.get(listeners["control"] + "/api/mode").json()
    finally:
        process.terminate()
        process.wait(15)
    assert (replayed.status_code, replayed.text, replayed.headers["X-From"]) == (
        200,
        "hi\n",
        "cassette",
    )
    assert missed.status_code == 404
    assert "Closest recording: GET http://api.example.test/hello" in missed.text
    assert (mode["mode"], mode["recordings"]) == ("replay", 1)
    assert not ready_file.exists()  # removed when it stopped


def test_mitmdump_streams_and_records_events_as_pretenders_does(
    tmp_path: Path, streaming_upstream: StreamingUpstream
) -> None:
    cassette = tmp_path / "sse.cassette"
    mitmdump = Path(sys.executable).parent / "mitmdump"
    ready_file = tmp_path / "ready.json"
    command = [
        str(mitmdump), "-s", str(ADDON), "--listen-host", "127.0.0.1", "--listen-port", "0",
        "--set", f"confdir={tmp_path / 'conf'}", "--set", "pretenders_api_port=0",
        "--set", "pretenders_mode=record", "--set", f"pretenders_cassettes={cassette}",
        "--set", f"pretenders_ready_file={ready_file}",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    arrived = []
    try:
        deadline = time.monotonic() + 30
        while (found := ready.read(ready_file)) is None:
            assert process.poll() is None and time.monotonic() < deadline, "mitmdump did not start"
            time.sleep(0.02)
        proxies = {"http": found["listeners"]["proxy"]}
        url = streaming_upstream.url + "/sse?n=3&gap=0.4"
        with requests.get(url, proxies=proxies, stream=True, timeout=30) as got:
            for line in got.iter_lines(chunk_size=1):
                if line.startswith(b"data:"):
                    arrived.append(time.monotonic())
    finally:
        process.terminate()
        process.wait(15)
    sent = streaming_upstream.sent.times["/sse"]
    assert max(at - was for at, was in zip(arrived, sent, strict=True)) < 0.25
    [stored] = reading.read(cassette).exchanges
    assert len(stored.exchange.response.chunks) == 3
