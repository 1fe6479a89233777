"""Files made by the real tools (VCR.py recording, mitmdump's flow file and HAR) and files
written to Hoverfly's and WireMock's published schemas are imported with
`pretenders cassette import` and replayed by a real `pretenders replay` to a real client."""

import base64
import json
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import requests
import vcr

from pretenders_proxy.testing.launcher import launch
from tests.integration.conftest import AppEnv, run_pretenders
from tests.integration.upstream import GZIPPED, PNG, Upstream
from tests.programs import program

LISTENING = re.compile(r"HTTP\(S\) proxy listening at \S+:(\d+)")
PATHS = ["/hello", "/gzip", "/image.png", "/latin1"]
type Seen = tuple[int, bytes, str]


def fetch(url: str, proxies: dict[str, str] | None = None) -> Seen:
    """Status, decoded body and content type, as an app using requests sees them."""
    with requests.Session() as session:
        session.trust_env = False
        answer = session.get(url, proxies=proxies or {}, timeout=30)
        return answer.status_code, answer.content, answer.headers.get("Content-Type", "")


def imported(source: Path, cassette: Path, *extra: str) -> str:
    done = run_pretenders("cassette", "import", str(source), str(cassette), *extra)
    assert done.returncode == 0, done.stderr
    return done.stderr


def replayed(cassette: Path, urls: list[str], confdir: Path, app_env: AppEnv) -> list[Seen]:
    with launch([str(cassette)], confdir=confdir, command="replay") as server:
        app_env.use(server)
        seen = []
        for url in urls:
            answer = requests.get(url, timeout=30)
            seen.append((answer.status_code, answer.content, answer.headers["Content-Type"]))
        return seen


def test_a_cassette_recorded_by_vcrpy_replays(
    upstream: Upstream, tmp_path: Path, confdir: Path, app_env: AppEnv
) -> None:
    urls = [upstream.url + path for path in PATHS]
    with vcr.use_cassette(str(tmp_path / "vcr.yaml"), record_mode="once"):
        live = [fetch(url) for url in urls]
    assert "!!binary" in (tmp_path / "vcr.yaml").read_text()  # the PNG and the gzip body
    upstream.stop()
    report = imported(tmp_path / "vcr.yaml", tmp_path / "vcr.cassette")
    assert report.splitlines() == [  # VCR.py saves bodies decoded, but keeps the header
        "dropped: response Content-Encoding (VCR.py saved the body decoded) (1 exchange)"
    ]
    assert replayed(tmp_path / "vcr.cassette", urls, confdir, app_env) == live
    assert live[1][1] == json.dumps({"compressed": True, "items": list(range(50))}).encode()


def _mitmdump(tmp_path: Path, urls: list[str]) -> list[Seen]:
    """Fetch `urls` through a real mitmdump writing a flow file and a HAR."""
    mitmdump = Path(sys.executable).parent / "mitmdump"
    command = [
        str(mitmdump), "--listen-host", "127.0.0.1", "--listen-port", "0",
        "--set", f"confdir={tmp_path / 'mitm-conf'}", "-w", str(tmp_path / "flows.mitm"),
        "--set", f"hardump={tmp_path / 'dump.har'}",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    port: list[str] = []
    ready = threading.Event()

    def watch() -> None:
        for line in process.stdout or ():
            if (match := LISTENING.search(line)) and not port:
                port.append(match.group(1))
                ready.set()
        ready.set()

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        assert ready.wait(30) and port, "mitmdump did not start"
        proxy = f"http://127.0.0.1:{port[0]}"
        return [fetch(url, {"http": proxy}) for url in urls]
    finally:
        process.send_signal(signal.SIGINT)  # mitmdump writes the HAR when it shuts down
        process.wait(30)
        watcher.join()
        if process.stdout is not None:
            process.stdout.close()


def test_a_flow_file_and_a_har_written_by_mitmdump_replay(
    upstream: Upstream, tmp_path: Path, confdir: Path, app_env: AppEnv
) -> None:
    urls = [upstream.url + path for path in PATHS]
    live = _mitmdump(tmp_path, urls)
    upstream.stop()
    assert [status for status, _, _ in live] == [200] * 4
    assert imported(tmp_path / "flows.mitm", tmp_path / "flows.cassette") == ""
    assert replayed(tmp_path / "flows.cassette", urls, confdir, app_env) == live

    report = imported(tmp_path / "dump.har", tmp_path / "har.cassette")
    assert "dropped: response Content-Encoding (HAR bodies are decoded) (1 exchange)" in report
    assert replayed(tmp_path / "har.cassette", urls, confdir, app_env) == live


HOVERFLY = {
    "data": {
        "pairs": [
            {
                "request": {
                    "path": [{"matcher": "exact", "value": "/users/42"}],
                    "method": [{"matcher": "exact", "value": "GET"}],
                    "destination": [{"matcher": "exact", "value": "api.hoverfly.test"}],
                    "scheme": [{"matcher": "exact", "value": "http"}],
                    "body": [{"matcher": "exact", "value": ""}],
                    "query": {"page": [{"matcher": "exact", "value": "2"}]},
                },
                "response": {
                    "status": 200,
                    "body": '{"id": 42}',
                    "encodedBody": False,
                    "headers": {"Content-Type": ["application/json"]},
                    "templated": False,
                },
            },
            {
                "request": {
                    "path": [{"matcher": "exact", "value": "/logo.png"}],
                    "method": [{"matcher": "exact", "value": "GET"}],
                    "destination": [{"matcher": "exact", "value": "api.hoverfly.test"}],
                },
                "response": {
                    "status": 200,
                    "body": base64.b64encode(PNG).decode(),
                    "encodedBody": True,
                    "headers": {"Content-Type": ["image/png"]},
                    "templated": False,
                },
            },
            {
                "request": {"destination": [{"matcher": "glob", "value": "*.hoverfly.test"}]},
                "response": {"status": 200, "body": "any", "encodedBody": False},
            },
        ],
        "globalActions": {"delays": [], "delaysLogNormal": []},
    },
    "meta": {"schemaVersion": "v5", "hoverflyVersion": "v1.10.0", "timeExported": "2026-01-01"},
}


def test_a_hoverfly_simulation_replays(tmp_path: Path, confdir: Path, app_env: AppEnv) -> None:
    simulation = tmp_path / "simulation.json"
    simulation.write_text(json.dumps(HOVERFLY))
    report = imported(simulation, tmp_path / "hoverfly.cassette")
    assert "dropped: pairs matching any path (not one recorded request)" in report
    urls = ["http://api.hoverfly.test/users/42?page=2", "http://api.hoverfly.test/logo.png"]
    assert replayed(tmp_path / "hoverfly.cassette", urls, confdir, app_env) == [
        (200, b'{"id": 42}', "application/json"),
        (200, PNG, "image/png"),
    ]


def test_wiremock_mappings_with_files_replay(
    tmp_path: Path, confdir: Path, app_env: AppEnv
) -> None:
    root = tmp_path / "wiremock"
    (root / "mappings").mkdir(parents=True)
    (root / "__files").mkdir()
    (root / "__files" / "news.json.gz").write_bytes(GZIPPED)
    stubs = {
        "hello.json": {
            "request": {"method": "GET", "url": "/hello?name=ada"},
            "response": {
                "status": 200,
                "body": "hi ada",
                "headers": {"Content-Type": "text/plain"},
            },
        },
        "news.json": {
            "request": {"method": "GET", "urlPath": "/news"},
            "response": {
                "status": 200,
                "bodyFileName": "news.json.gz",
                "headers": {"Content-Type": "application/json", "Content-Encoding": "gzip"},
            },
        },
        "pattern.json": {
            "request": {"method": "GET", "urlPattern": "/any/.*"},
            "response": {"status": 200, "body": "x"},
        },
    }
    for name, stub in stubs.items():
        (root / "mappings" / name).write_text(json.dumps(stub))
    report = imported(root, tmp_path / "wm.cassette", "--base-url", "http://api.wiremock.test")
    assert "dropped: mappings that match URLs by pattern (not one recorded request)" in report
    urls = ["http://api.wiremock.test/hello?name=ada", "http://api.wiremock.test/news"]
    assert replayed(tmp_path / "wm.cassette", urls, confdir, app_env) == [
        (200, b"hi ada", "text/plain"),
        (
            200,
            json.dumps({"compressed": True, "items": list(range(50))}).encode(),
            "application/json",
        ),
    ]


CHROMIUM = program("chromium")  # Debian's, installed by ./dev test (never `playwright install`)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update"]  # fmt: skip


def test_a_har_saved_by_chromium_replays(
    upstream: Upstream, tmp_path: Path, confdir: Path, app_env: AppEnv
) -> None:
    from playwright.sync_api import sync_playwright

    urls = [
        upstream.url + path for path in ["/hello", "/gzip", "/image.png"]
    ]  # latin-1: a download
    har = tmp_path / "chromium.har"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(record_har_path=str(har))
        page = context.new_page()
        for url in urls:
            assert page.goto(url) is not None
            page.wait_for_load_state("networkidle")  # the body is in the HAR before we go on
        context.close()  # writes the HAR
        browser.close()
    live = [fetch(url) for url in urls]
    upstream.stop()
    assert json.loads(har.read_text())["log"]["creator"]["name"] == "Playwright"
    report = imported(har, tmp_path / "chromium.cassette")
    assert "dropped: response Content-Encoding (HAR bodies are decoded) (1 exchange)" in report
    assert replayed(tmp_path / "chromium.cassette", urls, confdir, app_env) == live
