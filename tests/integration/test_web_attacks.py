"""What a web page could make pretenders do (issue 15), tried over real sockets without a browser:
foreign Host names (DNS rebinding), state-changing calls from other origins, mock answers that
could act as the control origin, and origin-form requests to the forward proxy. The same attacks
made by Chromium itself are in tests/ui/test_attacks.py."""

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.integration.upstream import Upstream

SANDBOX = "sandbox allow-scripts allow-forms allow-popups"
PRESET = {"rule": "GET /planted", "text": "planted by a web page"}
CROSS_SITE = [
    {"Origin": "http://evil.example"},
    {"Origin": "null"},  # a sandboxed frame, or a mock page under its CSP
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},  # another port of this machine: another origin
]


def presets(control: str, session: str) -> list[object]:
    listed = requests.get(f"{control}/api/v1/presets", params={"session": session}, timeout=10)
    assert listed.status_code == 200, listed.text
    found: list[object] = listed.json()
    return found


def raw(address: str, head: bytes) -> bytes:
    """What the listener at `address` (http://host:port) answers to `head`, up to its close."""
    host, port = address.split("//", 1)[1].rsplit(":", 1)
    with socket.create_connection((host.strip("[]"), int(port)), timeout=10) as connection:
        connection.sendall(head)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize(
    "path", ["/", "/ui/app.js", "/health", "/api/v1/requests", "/http", "/ca.pem", "/mockhttp/m/x"]
)
def test_a_foreign_host_is_refused_everywhere_on_the_control_port(
    server: RunningServer, path: str
) -> None:
    rebound = f"evil.example:{server.port}"
    answer = requests.get(server.control + path, headers={"Host": rebound}, timeout=10)
    assert answer.status_code == 403
    assert f"Host '{rebound}'" in answer.text and "--allowed-host evil.example" in answer.text


def test_a_rebound_write_changes_nothing(server: RunningServer, session: str) -> None:
    host = {"Host": f"evil.example:{server.port}"}
    url = f"{server.control}/api/v1/presets?session={session}"
    assert requests.post(url, json=PRESET, headers=host, timeout=10).status_code == 403
    put = requests.put(
        f"{server.control}/api/v1/mode?session={session}", json={"mode": "replay"}, headers=host
    )
    assert put.status_code == 403
    assert presets(server.control, session) == []
    mode = requests.get(f"{server.control}/api/v1/mode", params={"session": session}, timeout=10)
    assert mode.json()["mode"] == "mock"


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.0.0.2", "[::1]", "app.localhost"])
def test_loopback_names_are_served(server: RunningServer, host: str) -> None:
    answer = requests.get(
        server.control + "/health", headers={"Host": f"{host}:{server.port}"}, timeout=10
    )
    assert answer.status_code == 200, answer.text


@pytest.fixture(scope="module")
def named(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with launch(["--allowed-host", "dev.lan"], confdir=tmp_path_factory.mktemp("named")) as s:
        yield s


def test_allowed_host_adds_a_name(named: RunningServer) -> None:
    def status(host: str) -> int:
        return requests.get(
            named.control + "/health", headers={"Host": host}, timeout=10
        ).status_code

    assert status(f"dev.lan:{named.port}") == 200
    assert status(f"DEV.LAN.:{named.port}") == 200
    assert status(f"localhost:{named.port}") == 200
    assert status(f"other.lan:{named.port}") == 403


@pytest.mark.parametrize("narrowed", [False, True])
def test_off_loopback_the_token_guards_and_any_host_is_served_unless_narrowed(
    tmp_path: Path, narrowed: bool
) -> None:
    args = ["--host", "0.0.0.0", "--token", "t0ken"]
    if narrowed:
        args += ["--allowed-host", "build-box"]
    with launch(args, confdir=tmp_path) as off:
        address = f"http://127.0.0.1:{off.port}"

        def status(host: str, token: str | None = "t0ken") -> int:
            headers = {"Host": f"{host}:{off.port}"}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            return requests.get(address + "/health", headers=headers, timeout=10).status_code

        assert status("build-box") == 200
        assert status("build-box", token=None) == 401
        assert status("127.0.0.1") == 200
        assert status("192.0.2.7") == (403 if narrowed else 200)
        assert status("elsewhere.example") == (403 if narrowed else 200)


@pytest.mark.parametrize("headers", CROSS_SITE)
def test_writes_from_another_origin_are_refused_and_change_nothing(
    control: str, session: str, headers: dict[str, str]
) -> None:
    url = f"{control}/api/v1/presets?session={session}"
    plain = {"Content-Type": "text/plain", **headers}  # what a page sends without a preflight
    answer = requests.post(url, data=b'{"rule": "GET /planted", "text": "x"}', headers=plain)
    assert answer.status_code == 403
    assert "refused" in answer.json()["error"] and next(iter(headers.values())) in answer.text
    mock = requests.post(f"{control}/http", data=b'{"name": "planted"}', headers=plain)
    assert mock.status_code == 403 and "refused" in mock.text
    assert requests.get(f"{control}/http/planted", timeout=10).status_code == 404
    assert presets(control, session) == []
    # Reading stays allowed (no CORS header: the browser keeps the answer from the page).
    read = requests.get(url, headers=headers, timeout=10)
    assert read.status_code == 200 and "Access-Control-Allow-Origin" not in read.headers


def test_own_origin_and_clients_without_origin_still_write(
    server: RunningServer, control: str, session: str
) -> None:
    url = f"{control}/api/v1/presets?session={session}"
    own = {"Origin": control, "Sec-Fetch-Site": "same-origin"}  # what the UI sends
    assert requests.post(url, json=PRESET, headers=own, timeout=10).status_code == 201
    assert requests.post(url, json=PRESET, timeout=10).status_code == 201  # the Python clients
    through_proxy = requests.post(url, json=PRESET, proxies={"http": server.proxy}, timeout=10)
    assert through_proxy.status_code == 201  # a client that ignores NO_PROXY
    assert len(presets(control, session)) == 3


def test_curl_with_a_form_content_type_still_works(control: str, session: str) -> None:
    """The README's own examples: `curl -d` sends application/x-www-form-urlencoded."""
    base = control.replace("127.0.0.1", "localhost")

    def curl(*args: str) -> str:
        done = subprocess.run(
            ["curl", "-sS", "-w", " %{http_code}", *args], capture_output=True, text=True
        )
        return done.stdout

    posted = curl(
        "-X", "POST", f"{base}/api/v1/presets?session={session}", "-d", '{"rule": "GET /hello"}'
    )
    assert posted.endswith(" 201"), posted
    put = curl("-X", "PUT", f"{base}/api/v1/mode?session={session}", "-d", '{"mode": "mock"}')
    assert put.endswith(" 200"), put


@pytest.fixture
def mock(control: str) -> Iterator[str]:
    name = requests.post(f"{control}/http", json={}, timeout=10).json()["id"]
    yield name
    requests.delete(f"{control}/http/{name}", timeout=10)


def test_mock_answers_are_sandboxed_unless_the_preset_sets_a_policy(
    control: str, mock: str
) -> None:
    page = {"rule": "GET /page", "headers": {"Content-Type": "text/html"}, "body": "PGI+aGk8L2I+"}
    own = {"rule": "GET /own", "headers": {"content-security-policy": "default-src 'none'"}}
    for preset in (page, own):
        assert requests.post(f"{control}/preset/{mock}", json=preset, timeout=10).ok
    answered = requests.get(f"{control}/mockhttp/{mock}/page", timeout=10)
    assert answered.text == "<b>hi</b>" and answered.headers["Content-Security-Policy"] == SANDBOX
    kept = requests.get(f"{control}/mockhttp/{mock}/own", timeout=10)
    assert kept.headers["Content-Security-Policy"] == "default-src 'none'"
    missed = requests.get(f"{control}/mockhttp/{mock}/nothing", timeout=10)
    assert missed.status_code == 404 and missed.headers["Content-Security-Policy"] == SANDBOX
    nobody = requests.get(f"{control}/mockhttp/nobody-{mock}/x", timeout=10)
    assert nobody.headers["Content-Security-Policy"] == SANDBOX
    # History lists what the preset set; the policy is the server's, like Date.
    listed = requests.get(f"{control}/api/v1/requests", params={"session": mock}, timeout=10)
    (shown,) = [entry for entry in listed.json() if entry["path"] == "/page"]
    assert shown["response"]["headers"] == [["Content-Type", "text/html"]]


def test_mocks_take_writes_from_any_origin(control: str, mock: str) -> None:
    """A front-end under test may post to its mock from its own origin."""
    preset = {"rule": "POST /orders", "status": 201}
    assert requests.post(f"{control}/preset/{mock}", json=preset, timeout=10).ok
    cross = {"Origin": "http://app.test:3000", "Sec-Fetch-Site": "cross-site"}
    answer = requests.post(f"{control}/mockhttp/{mock}/orders", data="x", headers=cross)
    assert answer.status_code == 201


@pytest.fixture
def recording(tmp_path: Path) -> Iterator[RunningServer]:
    """A recorder: everything that no preset answers goes upstream."""
    with launch([str(tmp_path / "rec.cassette")], command="record", confdir=tmp_path) as s:
        yield s


def test_the_forward_proxy_refuses_origin_form_and_sends_nothing(
    recording: RunningServer, upstream: Upstream
) -> None:
    """What a page rebound to the proxy port sends: `GET /x` with its own Host."""
    head = f"GET /hello HTTP/1.1\r\nHost: 127.0.0.1:{upstream.port}\r\nConnection: close\r\n\r\n"
    answer = raw(recording.proxy, head.encode())
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"this is a forward proxy" in answer and b"not sent anywhere" in answer
    assert upstream.connections == 0
    proxied = requests.get(upstream.url + "/hello", proxies={"http": recording.proxy}, timeout=10)
    assert proxied.text == "hello, world\n" and upstream.connections == 1
