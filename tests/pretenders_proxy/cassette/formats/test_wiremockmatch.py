"""WireMock mappings as recorders and people write them: query parameters, JSON bodies, no
method, templates, header patterns, faults, body files kept inside __files/."""

import json
from pathlib import Path
from typing import Any

import pytest

from pretenders_proxy.cassette import convert as conversion
from pretenders_proxy.cassette.formats import wiremock
from pretenders_proxy.cassette.formats.common import Losses
from pretenders_proxy.cassette.formats.wiremockmatch import ANY_METHODS
from pretenders_proxy.errors import CassetteError
from pretenders_proxy.matching.canonical import body_key

BASE = ("http", "api.test", 80)


def read(*requests: dict[str, Any], response: dict[str, Any] | None = None) -> tuple[list, Losses]:
    losses = Losses()
    answer = response or {"status": 200, "body": "ok"}
    stubs = [(f"m{n}.json", {"request": r, "response": answer}) for n, r in enumerate(requests)]
    return list(wiremock.read(iter(stubs), {}.__getitem__, BASE, losses)), losses


def test_query_parameters_become_the_query() -> None:
    (back,), losses = read(
        {
            "method": "GET",
            "urlPath": "/user",
            "queryParameters": {
                "pretty": {"equalTo": "yes please"},
                "tag": {"hasExactly": [{"equalTo": "a"}, {"equalTo": "b"}]},
                "debug": {"absent": True},
            },
        }
    )
    assert back.request.query == b"pretty=yes%20please&tag=a&tag=b"
    assert losses.lines() == []


def test_query_parameters_by_pattern_skip_the_mapping_and_say_so() -> None:
    found, losses = read(
        {"urlPath": "/u", "method": "GET", "queryParameters": {"q": {"matches": "x.*"}}}
    )
    assert found == []
    assert losses.lines() == [
        "dropped: mappings that match query parameters by pattern (not one recorded request)"
        " (1 exchange)"
    ]


RECORDED_JSON = '{"read_only":false,"title":"test","key":"ssh-ed25519 AAAA"}'


def test_an_equal_to_json_body_is_the_request_body_compared_as_json() -> None:
    (back,), losses = read(
        {
            "url": "/keys",
            "method": "POST",
            "headers": {"Accept": {"equalTo": "application/vnd.github+json"}},
            "bodyPatterns": [{"equalToJson": RECORDED_JSON, "ignoreArrayOrder": True}],
        }
    )
    assert back.request.body == RECORDED_JSON.encode()
    assert back.request.headers == (
        (b"Accept", b"application/vnd.github+json"),
        (b"Content-Type", b"application/json"),
    )
    # a client sending the same document in its own key order is the same body to replay
    reordered = json.dumps({"key": "ssh-ed25519 AAAA", "title": "test", "read_only": False})
    other = type(back.request)(
        method="POST", path=b"/keys", body=reordered.encode(), headers=back.request.headers
    )
    assert body_key(other) == body_key(back.request)
    assert losses.lines() == [
        "dropped: equalToJson's ignoreExtraElements and ignoreArrayOrder (JSON compared whole)"
        " (1 exchange)"
    ]


def test_an_equal_to_json_object_is_written_as_json() -> None:
    (back,), _ = read({"url": "/k", "method": "PUT", "bodyPatterns": [{"equalToJson": {"a": 1}}]})
    assert json.loads(back.request.body) == {"a": 1}


def test_other_body_patterns_beside_an_exact_one_are_said() -> None:
    (back,), losses = read(
        {"url": "/k", "method": "POST", "bodyPatterns": [{"equalTo": "a=1"}, {"contains": "a"}]}
    )
    assert back.request.body == b"a=1"
    assert losses.lines() == [
        "dropped: request body patterns beside an exact one (contains, matches...) (1 exchange)"
    ]


@pytest.mark.parametrize("method", [None, "ANY"])
def test_a_mapping_for_any_method_answers_every_method(method: str | None) -> None:
    wanted: dict[str, Any] = {"url": "/any"} | ({"method": method} if method else {})
    found, losses = read(wanted, response={"status": 200, "body": "hi"})
    assert tuple(e.request.method for e in found) == ANY_METHODS
    assert {e.response.body for e in found if e.request.method != "HEAD"} == {b"hi"}
    assert [e.response.body for e in found if e.request.method == "HEAD"] == [b""]
    assert losses.lines() == [
        "dropped: matching of any method (mappings without one imported once each for GET, "
        "HEAD, POST, PUT, PATCH, DELETE, OPTIONS) (1 exchange)"
    ]


@pytest.mark.parametrize(
    "response",
    [
        {"status": 200, "body": "{{now}}", "transformers": ["response-template"]},
        {"status": 200, "jsonBody": {"name": "{{ random 'Name.first_name' }}"}},
        {"status": 200, "headers": {"Date": "{{now timezone='GMT'}}"}},
    ],
)
def test_response_templates_are_said_as_replayed_literally(response: dict[str, Any]) -> None:
    (_,), losses = read({"url": "/t", "method": "GET"}, response=response)
    assert losses.lines() == [
        "dropped: response templates ({{...}} replayed literally, not rendered) (1 exchange)"
    ]


def test_a_body_with_braces_that_are_no_template_is_not_said() -> None:
    _, losses = read({"url": "/t", "method": "GET"}, response={"status": 200, "body": "{{}}"})
    assert losses.lines() == []


def test_header_patterns_other_than_equal_to_are_said() -> None:
    (back,), losses = read(
        {"url": "/h", "method": "GET", "headers": {"If-None-Match": {"contains": "W/"}}}
    )
    assert back.request.headers == ()
    assert losses.lines() == [
        "dropped: request header patterns other than equalTo (not kept) (1 exchange)"
    ]


def test_faults_and_proxies_are_skipped_and_said() -> None:
    _, losses = read({"url": "/f", "method": "GET"}, response={"fault": "CONNECTION_RESET_BY_PEER"})
    assert losses.lines() == [
        "dropped: mappings that answer with a fault (a broken connection) (not one recorded"
        " request) (1 exchange)"
    ]


def test_a_body_file_outside_the_files_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("secret")
    (tmp_path / "wm" / "mappings").mkdir(parents=True)
    (tmp_path / "wm" / "__files").mkdir()
    stub = {
        "request": {"url": "/s", "method": "GET"},
        "response": {"status": 200, "bodyFileName": "../../secret"},
    }
    (tmp_path / "wm" / "mappings" / "s.json").write_text(json.dumps(stub))
    with pytest.raises(CassetteError, match=r"bodyFileName: '../../secret' is outside"):
        list(conversion.read(tmp_path / "wm", None, Losses(), "http://api.test"))
