"""Hundreds of whole-line presets (`GET /items/<n>$`, found by the line itself) answer as a scan
of every preset in creation order would: a regex preset made before them serves first, a prefix
preset made after them serves once theirs are used up, on both stores and reply paths."""

import requests

from pretenders_proxy.testing.launcher import RunningServer
from tests.integration.replies import BOTH_REPLY_PATHS

pytestmark = BOTH_REPLY_PATHS

MANY = 300


def add(control: str, mock: str, rule: str, text: str, times: int | None = None) -> int:
    preset: dict[str, object] = {"rule": rule, "text": text}
    if times is not None:
        preset["times"] = times
    added = requests.post(
        f"{control}/api/v1/presets", params={"session": mock}, json=preset, timeout=10
    )
    assert added.status_code == 201, added.text
    return int(added.json()["id"])


def test_whole_line_presets_keep_first_match_order(server: RunningServer, control: str) -> None:
    mock = requests.post(f"{control}/http", json={}, timeout=10).json()["id"]
    first = add(control, mock, r"GET /items/\d+$", "regex", times=1)
    ids = [add(control, mock, f"GET /items/{n}$", f"item {n}", times=2) for n in range(MANY)]
    last = add(control, mock, "GET /items/4", "prefix")
    asked = ["/items/42"] * 4 + ["/items/7%0A", "/items/299", "/items/7/x", "/items/1000"]
    got = []
    for path in asked:
        reply = requests.get(f"{control}/mockhttp/{mock}{path}", timeout=10)
        got.append((reply.status_code, reply.text if reply.status_code == 200 else "miss"))
    assert got == [
        (200, "regex"),
        (200, "item 42"),
        (200, "item 42"),
        (200, "prefix"),  # "GET /items/4" starts "GET /items/42"
        (200, "item 7"),  # `$` matches before a final newline
        (200, "item 299"),
        (404, "miss"),
        (404, "miss"),
    ]
    entries = requests.get(f"{control}/api/v1/requests", params={"session": mock}, timeout=10)
    served = [entry["preset"] for entry in entries.json()]
    assert served == [first, ids[42], ids[42], last, ids[7], ids[299], None, None]
