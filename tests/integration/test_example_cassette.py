"""cassettes/example.cassette: written by the tool, round-trips, replays what the README shows,
and its script regenerates it."""

import subprocess
import sys
from pathlib import Path

import msgpack
import requests

from pretenders_proxy.cassette import reading, writing
from pretenders_proxy.cassette.codec import from_item, to_item
from pretenders_proxy.testing.launcher import launch
from tests.integration.clients import with_curl
from tests.integration.conftest import AppEnv

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "cassettes" / "example.cassette"


def test_the_example_round_trips_byte_for_byte(tmp_path: Path) -> None:
    with EXAMPLE.open("rb") as stream:
        header, *items = msgpack.Unpacker(stream, raw=False)
    assert header["format"] == "pretenders-cassette"
    assert [to_item(from_item(item)) for item in items] == items
    loaded = reading.read(EXAMPLE)
    copy = tmp_path / "copy.cassette"
    writing.rewrite(copy, loaded.header, (stored.exchange for stored in loaded.exchanges))
    assert copy.read_bytes() == EXAMPLE.read_bytes()


def test_the_readme_walkthrough_replays_with_no_network(confdir: Path, app_env: AppEnv) -> None:
    with launch([str(EXAMPLE)], confdir=confdir, command="replay") as replayer:
        proxies = {"http": replayer.proxy}
        hello = requests.get("http://api.example.test/hello", proxies=proxies)
        user = requests.get("http://api.example.test/users/42", proxies=proxies).json()
        order = requests.post(
            "http://api.example.test/orders", json={"item": "book", "qty": 1}, proxies=proxies
        )
        miss = requests.get("http://api.example.test/users/43", proxies=proxies)
        app_env.use(replayer)
        secure = with_curl("https://api.example.test/hello")
    assert hello.text == "Hello from api.example.test!\n"
    assert user == {"id": 42, "name": "Ada Lovelace"}
    assert (order.status_code, order.json()["status"]) == (201, "created")
    assert miss.status_code == 404
    assert "Closest recording: GET http://api.example.test/users/42" in miss.text
    assert (secure.status, secure.body) == (200, b"Hello from api.example.test!\n")


def test_the_script_regenerates_the_example(tmp_path: Path) -> None:
    output = tmp_path / "example.cassette"
    script = ROOT / "scripts" / "make_example_cassette.py"
    subprocess.run([sys.executable, str(script), "--output", str(output)], check=True, timeout=60)

    def requests_of(path: Path) -> list[tuple[str, str]]:
        return [
            (s.exchange.request.method, s.exchange.request.url)
            for s in reading.read(path).exchanges
        ]

    assert requests_of(output) == requests_of(EXAMPLE)
    assert b"my-secret-token" not in output.read_bytes()
