"""History keeps what each request was answered with: through the proxy (preset, miss,
upstream while recording, cassette in replay) and on /mockhttp/, the entry's response has the
headers and the body bytes the client got; a long body is kept up to the bound, with its size."""

import base64
import contextlib
import gzip
import http.client
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from pretenders_proxy.api.schemas import RequestOut
from pretenders_proxy.model.journal import REPLY_PREVIEW
from pretenders_proxy.testing.launcher import RunningServer
from tests.integration.replies import BOTH_REPLY_PATHS
from tests.integration.upstream import BIG, GZIPPED, Upstream

pytestmark = BOTH_REPLY_PATHS

type Pairs = list[list[str]]


class Got:
    """A response as the client read it off the wire: headers in order, body undecoded."""

    def __init__(self, answer: http.client.HTTPResponse) -> None:
        self.status = answer.status
        self.headers: Pairs = [[name, value] for name, value in answer.getheaders()]
        self.body = answer.read()


def through_proxy(server: RunningServer, session: str, url: str) -> Got:
    """GET `url` through the proxy as `session` (its proxy user name), with http.client."""
    proxy = urlsplit(server.proxy)
    connection = http.client.HTTPConnection(proxy.hostname or "", proxy.port, timeout=30)
    try:
        login = base64.b64encode(f"{session}:x".encode()).decode()
        connection.request("GET", url, headers={"Proxy-Authorization": f"Basic {login}"})
        return Got(connection.getresponse())
    finally:
        connection.close()


def last_entry(control: str, session: str) -> dict[str, Any]:
    entries = requests.get(f"{control}/api/v1/requests", params={"session": session}, timeout=10)
    assert entries.status_code == 200, entries.text
    latest: dict[str, Any] = entries.json()[-1]
    one = requests.get(f"{control}/api/v1/requests/{latest['id']}", timeout=10).json()
    assert one == latest
    RequestOut.model_validate(latest)  # as the OpenAPI document describes it
    return latest


def assert_kept(entry: dict[str, Any], got: Got) -> dict[str, Any]:
    """The entry's response is what the client got, whole (a body within the bound)."""
    response: dict[str, Any] = entry["response"]
    assert response["status"] == entry["status"] == got.status
    assert response["headers"] == got.headers
    assert base64.b64decode(response["body_base64"]) == got.body
    assert (response["size"], response["truncated"]) == (len(got.body), False)
    return response


def add_preset(control: str, session: str, **preset: Any) -> None:
    added = requests.post(
        f"{control}/api/v1/presets", params={"session": session}, json=preset, timeout=10
    )
    assert added.status_code == 201, added.text


def test_a_preset_answer_through_the_proxy_is_kept(
    server: RunningServer, control: str, session_name: str
) -> None:
    reply = {"id": 7, "name": "book"}
    headers = [["X-Twice", "1"], ["Set-Cookie", "a=1"], ["X-Twice", "2"]]
    add_preset(control, session_name, rule="GET /books/7", headers=headers, body=reply)
    got = through_proxy(server, session_name, "http://shop.test/books/7")
    entry = last_entry(control, session_name)
    assert entry["source"] == "preset"
    response = assert_kept(entry, got)
    assert json.loads(response["body"]) == reply
    assert [pair for pair in response["headers"] if pair[0] == "X-Twice"] == headers[::2]


def test_a_miss_through_the_proxy_keeps_the_explanation_it_answered(
    server: RunningServer, control: str, session_name: str
) -> None:
    got = through_proxy(server, session_name, "http://shop.test/nothing-here")
    entry = last_entry(control, session_name)
    assert entry["source"] == "miss"
    response = assert_kept(entry, got)
    assert "GET /nothing-here" in response["body"]


def test_a_fault_sends_no_response_and_the_entry_says_so(
    server: RunningServer, control: str, session_name: str
) -> None:
    add_preset(control, session_name, rule="GET /broken", fault="reset")
    with contextlib.suppress(ConnectionError, http.client.HTTPException):
        through_proxy(server, session_name, "http://shop.test/broken")
    entry = last_entry(control, session_name)
    assert (entry["response"], entry["status"], entry["error"]) == (None, None, "fault: reset")


def test_upstream_answers_while_recording_and_the_replayed_ones_are_kept(
    server: RunningServer, control: str, session_name: str, upstream: Upstream, cassette: Path
) -> None:
    mode = f"{control}/api/v1/mode"
    record = {"mode": "record", "cassettes": [str(cassette)]}
    assert requests.put(mode, params={"session": session_name}, json=record).status_code == 200

    live = through_proxy(server, session_name, upstream.url + "/gzip")
    assert live.body == GZIPPED  # still gzip-encoded on the wire
    entry = last_entry(control, session_name)
    assert entry["source"] == "upstream"
    response = assert_kept(entry, live)
    assert response["encoding"] == "gzip"
    assert json.loads(response["body"]) == json.loads(gzip_text(GZIPPED))  # decoded to read

    big = through_proxy(server, session_name, upstream.url + "/big")
    assert big.body == BIG
    kept = last_entry(control, session_name)["response"]
    assert (kept["size"], kept["truncated"]) == (len(BIG), True)
    assert base64.b64decode(kept["body_base64"]) == BIG[:REPLY_PREVIEW]
    assert kept["body"] is None  # binary: described, not shown
    assert kept["headers"] == big.headers

    assert requests.put(mode, params={"session": session_name}, json={"mode": "replay"}).ok
    replayed = through_proxy(server, session_name, upstream.url + "/gzip")
    entry = last_entry(control, session_name)
    assert entry["source"] == "cassette"
    assert assert_kept(entry, replayed)["body"] == gzip_text(GZIPPED)


def test_mockhttp_answers_are_kept_and_a_long_one_up_to_the_bound(
    control: str, session_name: str
) -> None:
    created = requests.post(f"{control}/api/v1/sessions", json={"name": session_name}, timeout=10)
    assert created.status_code == 201, created.text
    long_text = "line of text\n" * (2 * REPLY_PREVIEW // 13)
    add_preset(control, session_name, rule="GET /long", text=long_text)
    add_preset(control, session_name, rule="GET /short", headers={"X-Mock": "yes"}, text="hi")

    short = requests.get(f"{control}/mockhttp/{session_name}/short", timeout=10)
    response = last_entry(control, session_name)["response"]
    # aiohttp adds its own framing headers (Date, Server, Content-Length); the preset's are kept
    sent = [[name, value] for name, value in short.raw.headers.items()]
    assert all(pair in sent for pair in response["headers"])
    assert ["X-Mock", "yes"] in response["headers"]
    assert base64.b64decode(response["body_base64"]) == short.content == b"hi"
    assert (response["body"], response["size"], response["truncated"]) == ("hi", 2, False)

    long = requests.get(f"{control}/mockhttp/{session_name}/long", timeout=10)
    assert long.text == long_text
    response = last_entry(control, session_name)["response"]
    assert (response["size"], response["truncated"]) == (len(long.content), True)
    assert base64.b64decode(response["body_base64"]) == long.content[:REPLY_PREVIEW]
    assert response["body"] == long_text[:REPLY_PREVIEW]

    missed = requests.get(f"{control}/mockhttp/{session_name}/other", timeout=10)
    response = last_entry(control, session_name)["response"]
    assert base64.b64decode(response["body_base64"]) == missed.content
    assert response["status"] == missed.status_code


def test_the_1_4_history_item_is_unchanged(control: str, session_name: str) -> None:
    created = requests.post(f"{control}/api/v1/sessions", json={"name": session_name}, timeout=10)
    assert created.status_code == 201, created.text
    add_preset(control, session_name, rule="GET /x", text="answer")
    requests.get(f"{control}/mockhttp/{session_name}/x", timeout=10)
    item = requests.get(f"{control}/history/{session_name}/0", timeout=10).json()
    assert set(item) == {"body", "headers", "method", "url", "rule"}


def gzip_text(data: bytes) -> str:
    return gzip.decompress(data).decode()
