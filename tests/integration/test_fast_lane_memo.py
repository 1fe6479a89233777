"""The fast lanes' head caches and their presets' memo (api/heads.py, store/memo.py) never answer
what the full decision would not: the same requests on one kept-alive connection, between
changes to the session, give the same answers, counts and history as the plain server, on
`/mockhttp/` and through the forward proxy."""

import base64
import re
import socket
import time
from typing import Any

import pytest
import requests

from pretenders_proxy.testing.launcher import RunningServer
from tests.integration.test_canned_replies import _undated
from tests.integration.test_fast_lane import _served, fast_answers

GET = b"GET /mockhttp/%s/items/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
PROXIED = (
    b"GET http://api.example.test/items/%s HTTP/1.1\r\nHost: api.example.test\r\n"
    b"Proxy-Authorization: Basic %s\r\n\r\n"
)
VIAS = ["mockhttp", "proxy"]
JSON = {"rule": ".* /items/json$", "status": 201, "body": "anNvbg=="}  # base64
ITEMS = {"rule": ".* /items/", "status": 202, "body": "aXRlbXM="}
ONCE = {"rule": ".* /items/json$", "status": 203, "body": "b25jZQ==", "times": 2}

type Step = tuple[Any, ...]

SCENARIOS: dict[str, list[Step]] = {
    "a preset added, then one before the remembered one deleted": [
        ("add", ITEMS), *[("get", b"json")] * 2, ("add", JSON), *[("get", b"json")] * 2,
        ("drop", 0), *[("get", b"json")] * 2, ("get", b"other"), ("drop", 1), ("get", b"json"),
    ],
    "reset, then presets again": [
        ("add", JSON), *[("get", b"json")] * 2, ("clear",), *[("get", b"json")] * 2,
        ("add", ITEMS), *[("get", b"json")] * 2,
    ],
    "a times preset in front used up, and back": [
        ("add", ONCE), ("add", ITEMS), *[("get", b"json"), ("get", b"other")] * 3,
        ("add", ONCE), *[("get", b"json")] * 2, ("drop", 1), *[("get", b"json")] * 3,
    ],
    "history switched off and on between requests": [
        ("add", JSON), *[("get", b"json")] * 2, ("history", False), *[("get", b"json")] * 2,
        ("history", True), *[("get", b"json")] * 2, ("get", b"nothing"),
    ],
    "the session deleted and made again": [
        ("add", JSON), *[("get", b"json")] * 2, ("delete",), *[("get", b"json")] * 2,
        ("create", {}), *[("get", b"json")] * 2, ("add", ITEMS), ("get", b"json"),
    ],
    "the session kept alive by remembered answers, then expired": [
        ("create", {"timeout": 2}), ("add", JSON),
        *[("get", b"json"), ("sleep", 0.5)] * 6, ("sleep", 3), ("get", b"json"),
    ],
}  # fmt: skip


@pytest.mark.parametrize("server", ["memory", "redis"], indirect=True)
@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("via", VIAS)
def test_remembered_answers_are_the_full_decisions(
    server: RunningServer,
    plain_replies_server: RunningServer,
    scenario: str,
    via: str,
    session_name: str,
) -> None:
    seen = []
    for on in (server, plain_replies_server):
        before = fast_answers(on, via)
        seen.append((_play(on, session_name, SCENARIOS[scenario], via), on))
        if on is server:
            assert fast_answers(on, via) > before  # the lane answered (and remembered)
    fast, plain = seen[0][0], seen[1][0]
    assert fast[0] == plain[0]  # the answers
    assert fast[1:3] == plain[1:3]  # served counts, requests seen
    if fast[3:]:
        assert len(fast[3]) == len(plain[3])
        for ours, theirs in zip(fast[3], plain[3], strict=True):
            assert ours == theirs


def test_many_distinct_heads_each_get_their_own_answer(
    server: RunningServer, session_name: str
) -> None:
    """More heads than the cache keeps, twice over, each asked twice in turn."""
    _play(server, session_name, [("add", ITEMS)])
    with socket.create_connection((server.host, server.port), timeout=10) as connection:
        for _ in range(2):
            for n in range(600):
                path = b"n%d" % n
                head = GET % (session_name.encode(), path)
                for asked in (head, head.replace(b"127.0.0.1", b"localhost")):
                    assert _ask(connection, asked).endswith(b"\r\n\r\nitems")
    assert _served(server, session_name) == [2 * 2 * 600]


def _play(
    on: RunningServer, name: str, steps: list[Step], via: str = "mockhttp"
) -> tuple[Any, ...]:
    """Run `steps` against `on` (requests to session `name` on one kept-alive connection, to
    `/mockhttp/` or through the proxy); the answers, served counts, requests seen and history,
    without what differs between servers."""
    _session(on, name, {})
    ids: list[int] = []
    answers = []
    address, head = _heads(on, name, via)
    with socket.create_connection(address, timeout=10) as connection:
        for step in steps:
            if step[0] == "get":
                answers.append(_same(_ask(connection, head % step[1])))
            else:
                _change(on, name, step, ids)
    if not _live(on, name):
        return (answers,)
    _session(on, name, {"record_history": True})
    listed = requests.get(f"{on.control}/api/v1/requests", params={"session": name}, timeout=10)
    found = listed.json()
    items = found["items"] if isinstance(found, dict) else found
    history = [_entry(entry, ids, timed=via == "proxy") for entry in items]
    found = requests.get(f"{on.control}/api/v1/sessions/{name}", timeout=10).json()
    return answers, _served(on, name), found["requests_seen"], history


def _heads(on: RunningServer, name: str, via: str) -> tuple[tuple[str, int], bytes]:
    """Where requests to session `name` go `via` the lane, and their head (`%s`: the item)."""
    if via == "proxy":
        credentials = base64.b64encode(name.encode() + b":x")
        return ("127.0.0.1", int(on.proxy.rsplit(":", 1)[1])), PROXIED.replace(
            b"Basic %s", b"Basic " + credentials
        )
    return (on.host, on.port), GET.replace(b"/mockhttp/%s/", b"/mockhttp/%s/" % name.encode())


def _change(on: RunningServer, name: str, step: Step, ids: list[int]) -> None:
    presets, what = f"{on.control}/api/v1/presets", step[0]
    if what == "add":
        made = requests.post(presets, params={"session": name}, json=step[1], timeout=10)
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    elif what == "drop":
        requests.delete(f"{presets}/{ids[step[1]]}", timeout=10).raise_for_status()
    elif what == "clear":
        requests.delete(presets, params={"session": name}, timeout=10).raise_for_status()
    elif what == "history":
        _session(on, name, {"record_history": step[1]})
    elif what == "delete":
        requests.delete(f"{on.control}/api/v1/sessions/{name}", timeout=10).raise_for_status()
    elif what == "create":
        _session(on, name, step[1])
    else:
        time.sleep(step[1])


def _session(on: RunningServer, name: str, fields: dict[str, Any]) -> None:
    made = requests.post(f"{on.control}/api/v1/sessions", json={"name": name, **fields}, timeout=10)
    made.raise_for_status()


def _live(on: RunningServer, name: str) -> bool:
    return requests.get(f"{on.control}/api/v1/sessions/{name}", timeout=10).ok


def _entry(entry: dict[str, Any], ids: list[int], *, timed: bool = False) -> dict[str, Any]:
    """A history entry without its ids, times, and a miss's duration (its own, every time; and
    any through the proxy, `timed`, which measures each answer) and reply (`miss` is its
    text)."""
    kept = {k: v for k, v in entry.items() if k not in ("id", "time", "session")}
    kept["preset"] = None if entry["preset"] is None else ids.index(entry["preset"])
    kept["miss"] = entry["miss"] and re.sub(r"preset \d+ \(", "preset N (", entry["miss"])
    if entry["source"] == "miss":  # the miss reply names a preset id: its text is `miss`'s
        kept["duration_ms"] = kept["response"] = None
    if timed:
        kept["duration_ms"] = None
    return kept


def _ask(connection: socket.socket, head: bytes) -> bytes:
    """Send one request and read its answer (framed by its Content-Length)."""
    connection.sendall(head)
    got = b""
    while b"\r\n\r\n" not in got:
        got += _more(connection)
    head_end = got.index(b"\r\n\r\n") + 4
    length = re.search(rb"\r\nContent-Length: (\d+)\r\n", got[:head_end], re.IGNORECASE)
    assert length is not None, got
    while len(got) < head_end + int(length[1]):
        got += _more(connection)
    assert len(got) == head_end + int(length[1])  # one answer to one request
    return got


def _more(connection: socket.socket) -> bytes:
    chunk = connection.recv(65536)
    assert chunk, "the server closed the connection"
    return chunk


def _same(answer: bytes) -> bytes:
    answer = re.sub(rb"preset \d+ \(", b"preset N (", _undated(answer))
    return re.sub(rb"Content-Length: \d+\r\n(?=(?:[^\r]+\r\n)*\r\nNo preset)", b"", answer)
