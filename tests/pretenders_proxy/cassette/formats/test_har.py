"""HAR 1.2 both ways: bodies decoded, entries without a response left out, bodiless ones fixed."""

import json
from pathlib import Path

from pretenders_proxy.cassette import convert as conversion
from pretenders_proxy.cassette.convert import Format
from pretenders_proxy.cassette.formats import har
from pretenders_proxy.cassette.formats.common import Losses
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
