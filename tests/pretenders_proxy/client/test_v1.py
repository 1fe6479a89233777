"""The v1 client against a fake transport: what it sends, and how its waits fail."""

import builtins
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from pretenders_proxy.client.v1 import Pretenders, RecordedRequest
from pretenders_proxy.errors import APIError, WaitTimeoutError

type Answer = Callable[[httpx.Request], httpx.Response]

ENTRY = {
    "id": 7,
    "session": "s",
    "method": "GET",
    "url": "http://x.test/a",
    "path": "/a",
    "query": "",
    "headers": [],
    "body_base64": "",
    "source": "miss",
    "status": 404,
    "miss": None,
}


def client(answer: Answer, sent: list[httpx.Request] | None = None) -> Pretenders:
    def handle(request: httpx.Request) -> httpx.Response:
        if sent is not None:
            sent.append(request)
        return answer(request)

    fake = Pretenders("http://control.test", session="s")
    fake.http.close()
    fake.http = httpx.Client(base_url=fake.url, transport=httpx.MockTransport(handle))
    return fake


@contextmanager
def no_file_access(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every way of looking at or changing a file fails while the block runs."""

    def refuse(*_: object, **__: object) -> Any:
        raise AssertionError("the client touched the file system")

    with monkeypatch.context() as patched:
        for name in ("exists", "is_file", "is_dir", "stat", "unlink", "mkdir", "open", "touch"):
            patched.setattr(Path, name, refuse)
        for name in ("stat", "lstat", "unlink", "remove", "mkdir", "makedirs", "open", "rmdir"):
            patched.setattr(os, name, refuse)
        patched.setattr(builtins, "open", refuse)
        yield


def test_use_cassette_leaves_the_files_to_the_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sent: list[httpx.Request] = []
    fake = client(lambda _: httpx.Response(200, json={"mode": "record"}), sent)
    monkeypatch.chdir(tmp_path)
    with no_file_access(monkeypatch):
        fake.use_cassette("no/such/folder/x.cassette", "ALL", match_on=["method"])
    [put] = sent
    assert (put.method, put.url.path, put.url.params["session"]) == ("PUT", "/api/v1/mode", "s")
    assert json.loads(put.content) == {
        "record_mode": "all",
        "cassettes": [str(tmp_path / "no/such/folder/x.cassette")],  # against our directory
        "match_on": ["method"],
    }
    assert not (tmp_path / "no").exists()


def test_use_cassette_refused_by_the_server_is_an_api_error() -> None:
    message = "/c/x.cassette: the cassette does not exist, and record mode none never records"
    fake = client(lambda _: httpx.Response(400, json={"error": message}))
    with pytest.raises(APIError) as refused:
        fake.use_cassette("/c/x.cassette", "none")
    assert (refused.value.status, refused.value.message) == (400, message)


def test_wait_for_requests_times_out_with_what_arrived() -> None:
    body = {"error": "waited 0.2s for 2 matching request(s), 1 arrived", "seen": []}

    def answer(request: httpx.Request) -> httpx.Response:
        if "wait" in request.url.params:
            return httpx.Response(408, json=body)  # the server lists only the latest few
        return httpx.Response(200, json=[ENTRY])  # so the client asks for all of them

    fake = client(answer)
    with pytest.raises(WaitTimeoutError, match=r"^408: waited 0\.2s for 2") as caught:
        fake.wait_for_requests(2, timeout=0.2)
    assert [r.id for r in caught.value.seen] == [7]
    assert isinstance(caught.value.seen[0], RecordedRequest)
    assert all(isinstance(caught.value, kind) for kind in (AssertionError, TimeoutError, APIError))


def verifying(verdict: dict[str, Any]) -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/verify":
            return httpx.Response(409, json=verdict)
        return httpx.Response(200, json=[ENTRY, dict(ENTRY, id=8, path="/b")])

    return answer


def test_assert_requested_that_waited_times_out_with_what_arrived() -> None:
    fake = client(verifying({"ok": False, "matched": [7], "error": "1 of 2 requests"}))
    with pytest.raises(WaitTimeoutError, match="1 of 2 requests") as caught:
        fake.assert_requested("GET /a", times=2, wait=0.2)
    assert caught.value.status == 409
    assert [r.id for r in caught.value.seen] == [7]  # the matching ones only


def test_assert_requested_without_waiting_is_a_plain_assertion() -> None:
    fake = client(verifying({"ok": False, "matched": [], "error": "no request matched"}))
    with pytest.raises(AssertionError, match=r"^no request matched$") as caught:
        fake.assert_requested("GET /c")
    assert not isinstance(caught.value, WaitTimeoutError)


def test_a_recorded_request_says_what_it_was() -> None:
    assert RecordedRequest.from_json(ENTRY).protocol == "http"  # a server from before it said
    refused = dict(ENTRY, method="CONNECT", url="tcp://db.test:5432", protocol="tcp")
    assert RecordedRequest.from_json(refused).protocol == "tcp"


def paged(items: list[dict[str, Any]], size: int) -> Answer:
    """A server answering `items` `size` at a time, the cursor being the next position."""

    def answer(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params.get("cursor", "0"))
        following = {"X-Next-Cursor": str(start + size)} if start + size < len(items) else {}
        return httpx.Response(200, json=items[start : start + size], headers=following)

    return answer


def test_lists_are_read_page_after_page_to_the_end() -> None:
    items = [dict(ENTRY, id=n) for n in range(1, 8)]
    sent: list[httpx.Request] = []
    fake = client(paged(items, 3), sent)
    assert [r.id for r in fake.requests(method="GET")] == list(range(1, 8))
    assert [r.url.params.get("cursor") for r in sent] == [None, "3", "6"]
    assert {(r.url.params["limit"], r.url.params["method"]) for r in sent} == {("1000", "GET")}
    assert [r.id for r in fake.wait_for_requests(7, timeout=1)] == list(range(1, 8))
    assert [p["id"] for p in fake.presets()] == list(range(1, 8))
