"""Issue 15, bad input over the network: JSON bodies nested 200,000 deep get a 400 (not a 500),
mail nested 2,000 MIME levels deep a 200 with a note, a FIFO named as a cassette a 400 (not a
hung server), and the control API records only to `*.cassette` files. A real server."""

import os
import smtplib
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.pretenders_proxy.factories import nested_mime

DEEP_JSON = "[" * 200_000


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/presets"),
        ("POST", "/api/v1/sessions"),
        ("POST", "/api/v1/verify"),
        ("PUT", "/api/v1/mode"),
        ("POST", "/api/v1/smtp/presets"),
        ("POST", "/http"),
        ("POST", "/smtp"),
    ],
)
def test_json_nested_200000_deep_is_a_400(control: str, method: str, path: str) -> None:
    answer = requests.request(method, f"{control}{path}", data=DEEP_JSON, timeout=10)
    assert answer.status_code == 400, answer.text
    assert "nested too deeply" in answer.text


def test_a_form_nested_2000_deep_is_no_500(control: str, session: str) -> None:
    requests.post(
        f"{control}/api/v1/presets",
        params={"session": session},
        json={"rule": {"rule": "POST /form", "data": {"a": "1"}}},
        timeout=10,
    ).raise_for_status()
    body = nested_mime(2000).split(b"\r\n\r\n", 1)[1]
    answer = requests.post(
        f"{control}/mockhttp/{session}/form",
        data=body,
        headers={"Content-Type": "multipart/form-data; boundary=b1999"},
        timeout=10,
    )
    assert answer.status_code == 404 and "form fields {} are not {'a': '1'}" in answer.text


def test_mail_nested_2000_mime_levels_deep_is_shown_with_a_note(control: str) -> None:
    made = requests.post(f"{control}/smtp", json={}, timeout=10)
    made.raise_for_status()
    mock, port = made.json()["id"], int(made.json()["full_host"].rsplit(":", 1)[1])
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.sendmail("a@x.test", ["b@x.test"], nested_mime(2000))
    [summary] = requests.get(f"{control}/api/v1/mail", params={"session": mock}, timeout=10).json()
    assert summary["subject"] == "deep"
    detail = requests.get(f"{control}/api/v1/mail/{summary['id']}", timeout=10)
    assert detail.status_code == 200, detail.text
    assert detail.json()["note"].startswith("MIME parts nest deeper than 20 levels")
    [attachment] = detail.json()["attachments"]
    kept = requests.get(f"{control}{attachment['url']}", timeout=10)
    assert kept.status_code == 200 and b"hello" in kept.content
    history = requests.get(f"{control}/history/{mock}", timeout=10)  # the 1.4 SMTP history
    assert history.status_code == 200 and "Subject: deep" in history.json()[0]["data"]
    requests.delete(f"{control}/smtp/{mock}", timeout=10)


@pytest.fixture(scope="module")
def cassette_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cassettes")


@pytest.fixture(scope="module")
def confined(cassette_dir: Path) -> Iterator[RunningServer]:
    with launch(["--cassette-dir", str(cassette_dir)]) as server:
        yield server


def put_mode(server: RunningServer, **body: object) -> requests.Response:
    return requests.put(f"{server.control}/api/v1/mode", json=body, timeout=10)


@pytest.mark.parametrize(
    "body",
    [
        {"mode": "replay", "cassettes": ["fifo.cassette"]},
        {"mode": "record", "cassettes": ["fifo.cassette"]},
        {"record_mode": "once", "cassettes": ["fifo.cassette"]},
    ],
)
def test_a_fifo_named_as_a_cassette_is_a_400(
    confined: RunningServer, cassette_dir: Path, body: dict[str, object]
) -> None:
    fifo = cassette_dir / "fifo.cassette"
    if not fifo.exists():
        os.mkfifo(fifo)
    answer = put_mode(confined, **body)  # before: the server hung opening it (ReadTimeout)
    assert answer.status_code == 400, answer.text
    assert "is a FIFO, not a regular file" in answer.json()["error"]
    assert requests.get(f"{confined.control}/health", timeout=10).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"mode": "record", "cassettes": ["conftest.py"]},
        {"mode": "replay", "cassettes": ["x.py", "new.cassette"], "on_miss": "record"},
        {"record_mode": "all", "cassettes": ["conftest.py"]},
        {"record_mode": "new_episodes", "cassettes": ["notes.msgpack"]},
    ],
)
def test_the_api_records_only_to_cassette_files(
    confined: RunningServer, cassette_dir: Path, body: dict[str, object]
) -> None:
    existing = cassette_dir / "conftest.py"
    existing.write_text("import os\n")
    answer = put_mode(confined, **body)
    assert answer.status_code == 400, answer.text
    assert "records only to files named *.cassette" in answer.json()["error"]
    assert existing.read_text() == "import os\n"  # record_mode all would have removed it
    made = [p.name for p in cassette_dir.iterdir() if p.is_file() and p.suffix != ".cassette"]
    assert made == ["conftest.py"]


def test_recording_through_the_api_to_a_cassette_still_works(
    confined: RunningServer, cassette_dir: Path
) -> None:
    answer = put_mode(confined, mode="record", cassettes=["new.cassette"])
    assert answer.status_code == 200, answer.text
    assert (cassette_dir / "new.cassette").is_file()
    assert put_mode(confined, mode="mock").status_code == 200
