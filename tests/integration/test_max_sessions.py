"""--max-sessions: past it, every way of making a session is refused with 429 and a reason (the
control API, the 1.4 protocol, the proxy's credentials), and the live sessions work on."""

import smtplib
from collections.abc import Iterator

import pytest
import requests

from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.integration.mailing import message


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server holding at most three sessions: `default`, `one` and `two`."""
    folder = tmp_path_factory.mktemp("full")
    with launch(["--max-sessions", "3", "--smtp-port-range", "0"], confdir=folder) as server:
        for name in ("one", "two"):
            made = requests.post(f"{server.control}/api/v1/sessions", json={"name": name})
            assert made.status_code == 201
        yield server


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/sessions", {"name": "three"}),
        ("POST", "/api/v1/presets?session=three", {"rule": "GET /"}),
        ("POST", "/api/v1/smtp/presets?session=three", {"action": "reject"}),
        ("PUT", "/api/v1/mode?session=three", {"mode": "mock"}),
    ],
)
def test_the_api_answers_429_naming_the_flag(
    full: RunningServer, method: str, path: str, body: dict[str, object]
) -> None:
    answer = requests.request(method, full.control + path, json=body, timeout=10)
    assert answer.status_code == 429, answer.text
    assert "(--max-sessions 3)" in answer.json()["error"]
    assert requests.get(f"{full.control}/api/v1/sessions/three", timeout=10).status_code == 404


@pytest.mark.parametrize("path", ["/http", "/smtp"])
def test_the_14_protocol_answers_429_in_text(full: RunningServer, path: str) -> None:
    answer = requests.post(full.control + path, json={"name": "three"}, timeout=10)
    assert answer.status_code == 429 and "--max-sessions 3" in answer.text
    health = requests.get(f"{full.control}/health", timeout=10).json()
    assert health["sessions"] == 3 and sorted(health["listeners"]) == ["control", "proxy", "smtp"]


def test_the_proxy_answers_429_for_a_new_session_name(full: RunningServer) -> None:
    new = full.proxy.replace("http://", "http://three:x@")
    answer = requests.get("http://api.test/", proxies={"http": new}, timeout=10)
    assert answer.status_code == 429 and "--max-sessions 3" in answer.text
    known = full.proxy.replace("http://", "http://one:x@")
    miss = requests.get("http://api.test/", proxies={"http": known}, timeout=10)
    assert miss.headers["X-Pretenders-Miss"] == "1"
    seen = requests.get(f"{full.control}/api/v1/requests", timeout=10).json()
    assert [r["session"] for r in seen if r["url"] == "http://api.test/"] == ["one"]


def test_smtp_auth_never_makes_a_session_so_mail_still_goes_in(full: RunningServer) -> None:
    # An AUTH name is a session only when that session exists; else the mail goes to default.
    with smtplib.SMTP(*full.smtp, timeout=10) as smtp:
        smtp.login("three", "x")
        assert smtp.send_message(message("to default")) == {}
    mail = requests.get(f"{full.control}/api/v1/mail", params={"session": "default"}).json()
    assert "to default" in [m["subject"] for m in mail]


def test_room_made_by_deleting_a_session_is_usable(full: RunningServer) -> None:
    requests.delete(f"{full.control}/api/v1/sessions/two", timeout=10)
    made = requests.post(f"{full.control}/api/v1/sessions", json={"name": "four"}, timeout=10)
    assert made.status_code == 201
    refused = requests.post(f"{full.control}/api/v1/sessions", json={"name": "five"}, timeout=10)
    assert refused.status_code == 429
