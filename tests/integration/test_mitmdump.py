"""The addons load into a stock mitmproxy: `mitmdump -s addons/pretenders.py`."""

import re
import subprocess
import sys
import threading
from pathlib import Path

import requests

from pretenders_proxy.cassette import writing
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Request, Response

ADDON = Path(__file__).parents[2] / "addons" / "pretenders.py"
LISTENING = re.compile(r"HTTP\(S\) proxy listening at (\S+):(\d+)")
CONTROL = re.compile(r"pretenders control API at (http://\S+)")


def test_mitmdump_replays_a_cassette_with_the_pretenders_addons(tmp_path: Path) -> None:
    cassette = tmp_path / "api.cassette"
    known = Request("GET", b"/hello", host="api.example.test", port=80)
    writing.write(cassette, [Exchange(known, Response(200, ((b"X-From", b"cassette"),), b"hi\n"))])
    mitmdump = Path(sys.executable).parent / "mitmdump"
    command = [
        str(mitmdump), "-s", str(ADDON), "--listen-host", "127.0.0.1", "--listen-port", "0",
        "--set", f"confdir={tmp_path / 'conf'}", "--set", "pretenders_api_port=0",
        "--set", "pretenders_mode=replay", "--set", f"pretenders_cassettes={cassette}",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    found: dict[str, str] = {}
    ready = threading.Event()

    def watch() -> None:
        for line in process.stdout or ():
            if match := LISTENING.search(line):
                found["proxy"] = f"http://127.0.0.1:{match.group(2)}"
            if match := CONTROL.search(line):
                found["control"] = match.group(1)
            if len(found) == 2:
                ready.set()
        ready.set()

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        assert ready.wait(30), "mitmdump did not start"
        proxies = {"http": found["proxy"]}
        replayed = requests.get("http://api.example.test/hello", proxies=proxies)
        missed = requests.get("http://api.example.test/other", proxies=proxies)
        mode = requests.get(found["control"] + "/api/mode").json()
    finally:
        process.terminate()
        process.wait(15)
        watcher.join()
        if process.stdout is not None:
            process.stdout.close()
    assert (replayed.status_code, replayed.text, replayed.headers["X-From"]) == (
        200,
        "hi\n",
        "cassette",
    )
    assert missed.status_code == 404
    assert "Closest recording: GET http://api.example.test/hello" in missed.text
    assert (mode["mode"], mode["recordings"]) == ("replay", 1)
