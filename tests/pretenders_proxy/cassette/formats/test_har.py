"""HAR 1.2 both ways: bodies decoded, entries without a response left out, bodiless ones fixed."""

import json
from pathlib import Path

import pytest

from pretenders_proxy.cassette import convert as conversion
from pretenders_proxy.cassette.convert import Format
from pretenders_proxy.cassette.formats import har
from pretenders_proxy.cassette.formats.common import Losses
from pretenders_proxy.errors import CassetteError
from tests.pretenders_proxy.samples import exchanges


def test_an_entry_holds_the_decoded_body_and_says_what_it_drops() -> None:
    losses = Losses()
    written = har.entry(exchanges()[2], losses)
    assert written["request"]["url"] == "http://api.example.test/news"
    assert written["response"]["content"]["text"] == "héllo news\n"
    assert written["startedDateTime"] == "2026-01-02T03:04:05+00:00"
    assert losses.lines() == [
        "dropped: response Content-Encoding (HAR bodies are decoded) (1 exchange)"
    ]


def test_har_entries_that_got_no_response_are_left_out_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "failed.har"
    conversion.write(path, Format.HAR, exchanges()[:1], Losses())
    document = json.loads(path.read_text())
    failed = json.loads(json.dumps(document["log"]["entries"][0]))
    failed["response"] |= {"status": 0, "statusText": "", "content": {"size": 0, "mimeType": ""}}
    document["log"]["entries"].insert(0, failed)  # as Chromium saves a blocked request
    path.write_text(json.dumps(document))
    losses = Losses()
    back = list(conversion.read(path, Format.HAR, losses))
    assert [e.request.url for e in back] == [exchanges()[0].request.url]
    assert losses.lines() == [
        "dropped: entries without a response (failed or blocked requests) (1 exchange)"
    ]


def test_a_har_response_saved_without_its_body_gets_a_content_length_that_fits(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bodiless.har"
    conversion.write(path, Format.HAR, exchanges()[:1], Losses())
    document = json.loads(path.read_text())
    response = document["log"]["entries"][0]["response"]
    response["headers"] = [{"name": "Content-Length", "value": "5"}]
    response["content"] = {"size": 5, "mimeType": "text/plain"}  # the text was not saved
    path.write_text(json.dumps(document))
    losses = Losses()
    (back,) = conversion.read(path, Format.HAR, losses)
    assert back.response.body == b""
    assert back.response.headers == ((b"Content-Length", b"0"),)
    assert losses.lines() == [
        "dropped: response bodies the HAR did not hold whole (Content-Length set to theirs) "
        "(1 exchange)"
    ]


# HARs as other tools write them: HEAD answers, Playwright's attached body files, a lone
# entry (haralyzer), forms kept only as params.


def entry(method: str = "GET", content: object = None, length: str = "12") -> dict[str, object]:
    return {
        "startedDateTime": "2024-01-02T03:04:05.000Z",
        "time": 5,
        "request": {"method": method, "url": "http://a.test/x", "headers": []},
        "response": {
            "status": 200,
            "headers": [{"name": "content-length", "value": length}],
            "content": content or {"size": 0, "mimeType": "text/plain", "text": ""},
        },
    }


def har_file(tmp_path: Path, *entries: object) -> Path:
    path = tmp_path / "rec.har"
    path.write_text(json.dumps({"log": {"version": "1.2", "entries": list(entries)}}))
    return path


def test_a_head_response_keeps_its_recorded_content_length(tmp_path: Path) -> None:
    losses = Losses()
    (back,) = conversion.read(har_file(tmp_path, entry("HEAD", length="78258")), None, losses)
    assert back.response.body == b""
    assert back.response.headers == ((b"content-length", b"78258"),)
    assert losses.lines() == []


def test_a_playwright_attached_body_file_is_read_beside_the_har(tmp_path: Path) -> None:
    (tmp_path / "main.txt").write_bytes(b"Hello, world")
    content = {"size": 12, "mimeType": "text/html", "_file": "main.txt"}
    losses = Losses()
    (back,) = conversion.read(har_file(tmp_path, entry(content=content)), None, losses)
    assert back.response.body == b"Hello, world"
    assert losses.lines() == []


def test_a_missing_attached_body_file_is_said(tmp_path: Path) -> None:
    content = {"size": 12, "mimeType": "text/html", "_file": "gone.txt"}
    losses = Losses()
    (back,) = conversion.read(har_file(tmp_path, entry(content=content)), None, losses)
    assert back.response.body == b""
    assert (
        "dropped: response bodies in attached files that are missing (imported empty) "
        "(1 exchange)" in losses.lines()
    )


@pytest.mark.parametrize("name", ["../secret.txt", "/etc/hostname"])
def test_an_attached_file_outside_the_hars_folder_is_refused(tmp_path: Path, name: str) -> None:
    (tmp_path / "secret.txt").write_text("secret")
    folder = tmp_path / "hars"
    folder.mkdir()
    content = {"size": 6, "mimeType": "text/plain", "_file": name}
    with pytest.raises(CassetteError, match=r"_file: .* is outside .*: refused"):
        list(conversion.read(har_file(folder, entry(content=content)), None, Losses()))


def test_a_lone_entry_reads_as_a_har_of_one(tmp_path: Path) -> None:
    path = tmp_path / "entry.har"
    path.write_text(
        json.dumps(entry(content={"size": 2, "mimeType": "text/plain", "text": "hi"}, length="2"))
    )
    (back,) = conversion.read(path, None, Losses())
    assert back.response.body == b"hi"
    single = tmp_path / "entry.json"
    single.write_text(path.read_text())
    assert conversion.detect(single, reading=True) is conversion.Format.HAR


def test_a_form_kept_only_as_params_is_encoded_back(tmp_path: Path) -> None:
    posted = entry("POST")
    params = [{"name": "a", "value": "1 2"}, {"name": "b", "value": "&"}]
    mime = "application/x-www-form-urlencoded"
    posted["request"]["postData"] = {"mimeType": mime, "params": params}  # type: ignore[index]
    (back,) = conversion.read(har_file(tmp_path, posted), None, Losses())
    assert back.request.body == b"a=1+2&b=%26"
