"""Who may drive pretenders and what the control API can reach: the token on every control
route, a private CA key, cassette paths confined to the cassette directory, sandboxed mail."""

import smtplib
import stat
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
import requests

from pretenders_proxy.cassette.reading import read
from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.integration.conftest import run_pretenders
from tests.integration.upstream import Upstream

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("security")


@pytest.fixture(scope="module")
def guarded(folder: Path) -> Iterator[RunningServer]:
    """A server with a token whose API may only reach `folder/cassettes`."""
    (folder / "cassettes").mkdir()
    args = ["--token", TOKEN, "--cassette-dir", str(folder / "cassettes")]
    with launch(args, confdir=folder / "conf") as server:
        yield server


def _routes(server: RunningServer) -> list[tuple[str, str]]:
    spec = requests.get(server.control + "/api/v1/openapi.json", headers=AUTH, timeout=10).json()
    return [
        (method.upper(), path.replace("{", "").replace("}", ""))
        for path, operations in spec["paths"].items()
        for method in operations
        if not path.startswith("/mockhttp/")
    ]


def test_every_control_route_needs_the_token(guarded: RunningServer) -> None:
    routes = _routes(guarded)
    assert len(routes) > 30
    for method, path in [*routes, ("GET", "/api/v1/openapi.json")]:
        answer = requests.request(method, guarded.control + path, timeout=10)
        assert answer.status_code == 401, (method, path, answer.status_code)
        assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_mocks_proxy_and_smtp_stay_open_without_the_token(guarded: RunningServer) -> None:
    mock = requests.post(guarded.control + "/http", json={}, headers=AUTH, timeout=10).json()["id"]
    preset = {"rule": "GET /open", "text": "open"}
    requests.post(f"{guarded.control}/preset/{mock}", json=preset, headers=AUTH, timeout=10)
    assert requests.get(f"{guarded.control}/mockhttp/{mock}/open", timeout=10).text == "open"
    miss = requests.get("http://x.test/", proxies={"http": guarded.proxy}, timeout=10)
    assert miss.headers["X-Pretenders-Miss"] == "1"
    with smtplib.SMTP(*guarded.smtp, timeout=10) as smtp:
        assert smtp.noop()[0] == 250


def test_off_loopback_without_a_token_refuses_to_start(tmp_path: Path) -> None:
    done = run_pretenders("serve", "--host", "0.0.0.0", "--confdir", str(tmp_path))
    assert done.returncode == 2
    assert "not loopback" in done.stderr and "--token" in done.stderr


def test_the_ca_key_files_are_private(guarded: RunningServer, folder: Path) -> None:
    keys = [folder / "conf" / name for name in ("mitmproxy-ca.pem", "mitmproxy-ca.p12")]
    for key in keys:
        assert stat.S_IMODE(key.stat().st_mode) == 0o600, key


def _put_mode(server: RunningServer, cassettes: list[str]) -> requests.Response:
    body = {"mode": "record", "cassettes": cassettes}
    return requests.put(server.control + "/api/v1/mode", json=body, headers=AUTH, timeout=10)


@pytest.mark.parametrize(
    "given",
    ["../escape.cassette", "sub/../../escape.cassette", "/tmp/escape.cassette", "link/x.cassette"],
)
def test_api_cassette_paths_cannot_leave_the_cassette_dir(
    guarded: RunningServer, folder: Path, given: str
) -> None:
    link = folder / "cassettes" / "link"
    if not link.exists():
        link.symlink_to(folder)  # a symlink inside the directory pointing out of it
    answer = _put_mode(guarded, [given])
    assert answer.status_code == 400, answer.text
    assert "outside the cassette directory" in answer.json()["error"]
    assert not (folder / "escape.cassette").exists() and not (folder / "x.cassette").exists()


def test_api_cassette_paths_inside_the_cassette_dir_work(
    guarded: RunningServer, folder: Path
) -> None:
    inside = folder / "cassettes" / "ok.cassette"
    for given in ["ok.cassette", "sub/../ok.cassette", str(inside)]:
        answer = _put_mode(guarded, [given])
        assert answer.status_code == 200, answer.text
        assert answer.json()["cassettes"] == [str(inside)]
    assert inside.exists()
    requests.put(guarded.control + "/api/v1/mode", json={"mode": "mock"}, headers=AUTH)


def test_the_command_line_may_name_any_cassette(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere" / "api.cassette"
    elsewhere.parent.mkdir()
    with launch([str(elsewhere), "--cassette-dir", str(tmp_path / "x")], command="record") as s:
        mode = requests.get(s.control + "/api/v1/mode", timeout=10).json()
    assert mode["recording_to"] == str(elsewhere)


def test_mail_parts_are_never_served_as_live_html(
    server: RunningServer, control: str, session_name: str
) -> None:
    requests.post(f"{control}/api/v1/sessions", json={"name": session_name}, timeout=10)
    mail = EmailMessage()
    mail["Subject"], mail["From"], mail["To"] = "html", "a@example.test", "b@example.test"
    mail.set_content("plain")
    page = "<script>fetch('/api/v1/mode',{method:'PUT'})</script>"
    mail.add_alternative(page, subtype="html")
    mail.add_attachment(page.encode(), maintype="text", subtype="html", filename="x.html")
    with smtplib.SMTP(*server.smtp, timeout=10) as smtp:
        smtp.login(session_name, "x")
        smtp.send_message(mail)
    listed = requests.get(f"{control}/api/v1/mail?session={session_name}", timeout=10).json()
    url = f"{control}/api/v1/mail/{listed[0]['id']}"
    detail = requests.get(url, timeout=10)
    assert detail.headers["Content-Type"].startswith("application/json")
    for part in (url + "/raw", url + "/attachments/0"):
        answer = requests.get(part, timeout=10)
        assert answer.headers["Content-Security-Policy"] == "sandbox"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Content-Disposition"].startswith("attachment")
    requests.delete(f"{control}/api/v1/sessions/{session_name}", timeout=10)


def test_secrets_are_redacted_by_default_when_recorded(tmp_path: Path, upstream: Upstream) -> None:
    cassette = tmp_path / "secrets.cassette"
    secrets = {"Authorization": "Bearer real", "Cookie": "sid=real", "X-Api-Key": "real"}
    with launch([str(cassette)], command="record", confdir=tmp_path) as server:
        proxies = {"http": server.proxy}
        url = f"{upstream.url}/headers"  # answers with a Set-Cookie
        assert requests.get(url, headers=secrets, proxies=proxies, timeout=10).ok
    (stored,) = read(cassette).exchanges
    sent = dict(stored.exchange.request.headers)
    for name in secrets:
        assert sent[name.encode()] == b"<redacted>"
    assert dict(stored.exchange.response.headers)[b"Set-Cookie"] == b"<redacted>"
