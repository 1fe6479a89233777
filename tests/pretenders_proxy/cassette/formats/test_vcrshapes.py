"""The other shapes of VCR cassettes read as VCR.py's own: httpx-era responses, Python 2 tags,
vcrpy before 1.0, parsed_body serializers, Ruby VCR."""

import json
from pathlib import Path

import pytest

from pretenders_proxy.cassette import convert as conversion
from pretenders_proxy.cassette.convert import Format
from pretenders_proxy.cassette.formats import vcr
from pretenders_proxy.cassette.formats.common import Losses
from pretenders_proxy.errors import CassetteError

HTTPX = """\
interactions:
- request:
    body: ''
    headers: {host: [a.test]}
    method: GET
    uri: https://a.test/gzip
  response:
    content: '{"gzipped": true}'
    headers:
      Content-Encoding: [br]
      Content-Type: [application/json]
    http_version: HTTP/1.1
    status_code: 201
version: 1
"""


def test_an_httpx_era_response_reads_its_status_code_and_content() -> None:
    losses = Losses()
    (back,) = vcr.read(HTTPX, losses)
    assert back.response.status == 201
    assert back.response.body == b'{"gzipped": true}'
    # the decoded body under Content-Encoding: br would break every client
    assert back.response.headers == ((b"Content-Type", b"application/json"),)
    assert losses.lines() == [
        "dropped: response Content-Encoding (VCR.py saved the body decoded) (1 exchange)"
    ]


PY2 = """\
interactions:
- request:
    body: !!python/str 'a=1'
    headers: {}
    method: !!python/unicode 'POST'
    uri: http://a.test/post
  response:
    body: {string: !!python/unicode "{}\\n"}
    headers:
    - !!python/tuple
      - Content-Type
      - [application/json]
    status: {code: !!python/long '200', message: OK}
version: 1
"""


def test_python_2_tags_read_as_plain_text_numbers_and_lists() -> None:
    (back,) = vcr.read(PY2, Losses())
    assert (back.request.method, back.request.body) == ("POST", b"a=1")
    assert back.response.body == b"{}\n"
    assert back.response.status == 200
    assert back.response.headers == ((b"Content-Type", b"application/json"),)


OLD = """\
- request: !!python/object:vcr.request.Request
    body: null
    headers: !!python/object/apply:__builtin__.frozenset
    - - !!python/tuple [accept, '*/*']
    host: a.test
    method: GET
    path: /ip
    port: 8080
    protocol: http
  response:
    body: {string: !!python/unicode "{}"}
    headers: [!!python/unicode "content-type: application/json\\r\\n"]
    status: {code: 200, message: OK}
"""


def test_a_cassette_of_vcrpy_before_1_0_reads_its_request_fields_as_data() -> None:
    (back,) = vcr.read(OLD, Losses())
    assert back.request.url == "http://a.test:8080/ip"
    assert back.request.headers == ((b"accept", b"*/*"),)
    assert back.response.headers == ((b"content-type", b"application/json"),)


@pytest.mark.parametrize(
    "tag",
    ["!!python/object:os.system", "!!python/object/apply:os.system", "!!python/name:os.system"],
)
def test_other_python_tags_are_refused_without_making_anything(tag: str) -> None:
    with pytest.raises(CassetteError, match=r"YAML tag .*python.* is not plain data"):
        list(vcr.read(f"interactions:\n- {tag} ['echo']\n", Losses()))


PARSED = """\
interactions:
- request:
    headers: {content-type: [application/json]}
    method: POST
    parsed_body: {model: gpt-4o, stream: false}
    uri: https://a.test/chat
  response:
    headers: {content-length: ['999'], content-type: [application/json]}
    parsed_body: {answer: Paris}
    status: {code: 200, message: OK}
version: 1
"""


def test_parsed_bodies_are_written_back_as_json_and_said() -> None:
    losses = Losses()
    (back,) = vcr.read(PARSED, losses)
    assert json.loads(back.request.body) == {"model": "gpt-4o", "stream": False}
    assert json.loads(back.response.body) == {"answer": "Paris"}
    assert (b"content-length", str(len(back.response.body)).encode()) in back.response.headers
    assert losses.lines() == [
        "dropped: exact body bytes of bodies stored parsed (parsed_body; written back as JSON)"
        " (1 exchange)",
        "dropped: response Content-Length that did not match the stored body (fixed) (1 exchange)",
    ]


RUBY = """\
---
http_interactions:
- request:
    method: get
    uri: http://a.test/
    body: {encoding: UTF-8, string: ''}
    headers: {}
  response:
    status: {code: 404, message: Not Found}
    headers: {Content-Length: ['3']}
    body: {encoding: UTF-8, base64_string: "bm8K"}
    http_version: '1.1'
  recorded_at: Tue, 01 Nov 2011 04:49:54 GMT
recorded_with: VCR 2.0.0
"""


def test_a_ruby_vcr_cassette_reads() -> None:
    (back,) = vcr.read(RUBY, Losses())
    assert (back.request.method, back.response.status, back.response.body) == ("GET", 404, b"no\n")
    assert back.meta.recorded_at == "2011-11-01T04:49:54+00:00"


def test_a_head_response_keeps_its_content_length() -> None:
    text = HTTPX.replace("method: GET", "method: HEAD").replace(
        "content: '{\"gzipped\": true}'", "content: ''\n    headers2: {}"
    )
    text = text.replace("Content-Encoding: [br]", "Content-Length: ['17']")
    losses = Losses()
    (back,) = vcr.read(text, losses)
    assert (b"Content-Length", b"17") in back.response.headers
    assert losses.lines() == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("vcr.json", json.dumps({"version": 1, "interactions": []})),
        ("old.json", json.dumps([{"request": {}, "response": {}}])),
        ("test_tvmaze.TestShow", "interactions: []\nversion: 1\n"),
        ("ruby", "---\nhttp_interactions: []\n"),
    ],
)
def test_vcr_cassettes_are_told_by_their_content(tmp_path: Path, name: str, content: str) -> None:
    (tmp_path / name).write_text(content)
    assert conversion.detect(tmp_path / name, reading=True) is Format.VCR


def test_a_vcrpy_json_cassette_reads_without_format(tmp_path: Path) -> None:
    path = tmp_path / "cassette.json"
    path.write_text(json.dumps(vcr.load(PARSED)))
    (back,) = conversion.read(path, None, Losses())
    assert back.request.url == "https://a.test/chat"


def test_a_frozenset_in_its_long_form_keeps_its_items() -> None:
    short = "\n    - - !!python/tuple [accept, '*/*']"
    text = OLD.replace(short, "\n      args: [[[accept, '*/*']]]")
    (back,) = vcr.read(text, Losses())
    assert back.request.headers == ((b"accept", b"*/*"),)
