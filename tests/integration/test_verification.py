"""Verification, misses, unused presets and long-poll waits over the real control API."""

import threading
import time
from pathlib import Path
from typing import Any

import requests

from pretenders_proxy.testing.launcher import launch


def send(proxy: str, path: str, method: str = "GET") -> requests.Response:
    return requests.request(method, f"http://shop.test{path}", proxies={"http": proxy}, timeout=10)


def preset(control: str, session: str, **fields: Any) -> None:
    answer = requests.post(
        f"{control}/api/v1/presets", params={"session": session}, json=fields, timeout=10
    )
    assert answer.status_code == 201, answer.text


def verify(control: str, session: str, **check: Any) -> requests.Response:
    return requests.post(f"{control}/api/v1/verify", json=dict(check, session=session), timeout=40)


def test_verify_counts_and_explains_the_nearest_miss(
    control: str, session_name: str, proxy: str
) -> None:
    preset(control, session_name, rule="POST /orders", status=201)
    send(proxy, "/orders", "POST")
    send(proxy, "/order", "POST")
    ok = verify(control, session_name, rule="POST /orders$", times=1)
    assert ok.status_code == 200 and ok.json()["count"] == 1
    failed = verify(control, session_name, rule="POST /orders$", times=2)
    assert failed.status_code == 409
    explanation = failed.json()["error"]
    assert "Expected exactly 2 request(s) matching rule 'POST /orders$', but 1 matched." in (
        explanation
    )
    assert "Closest other request:" in explanation and "POST http://shop.test/order" in explanation
    assert "request 'POST /order' does not match rule 'POST /orders$'" in explanation
    assert verify(control, session_name, rule="DELETE", at_most=0).status_code == 200


def test_verify_bad_input(control: str, session_name: str) -> None:
    requests.post(f"{control}/api/v1/sessions", json={"name": session_name}, timeout=10)
    answer = verify(control, session_name, rule="x", times=1, at_least=1)
    assert answer.status_code == 400 and "not both" in answer.json()["error"]
    assert verify(control, "no-such-session", rule="x").status_code == 404
    assert verify(control, session_name, rule="(").status_code == 400


def test_misses_and_unused_presets(control: str, session_name: str, proxy: str) -> None:
    preset(control, session_name, rule="GET /used", text="u")
    preset(control, session_name, rule="GET /never", text="n")
    send(proxy, "/used")
    send(proxy, "/nothing")
    params = {"session": session_name}
    misses = requests.get(f"{control}/api/v1/misses", params=params, timeout=10).json()
    assert [m["path"] for m in misses] == ["/nothing"]
    assert "Closest: preset" in misses[0]["miss"]
    unused = requests.get(f"{control}/api/v1/unused", params=params, timeout=10).json()
    assert [p["rule"]["rule"] for p in unused["presets"]] == ["GET /never"]


def test_a_wait_returns_as_soon_as_the_request_arrives(
    control: str, session_name: str, proxy: str
) -> None:
    requests.post(f"{control}/api/v1/sessions", json={"name": session_name}, timeout=10)
    got: list[list[dict[str, Any]]] = []
    params = {"session": session_name, "path": "^/wanted", "wait": 30}
    waiter = threading.Thread(
        target=lambda: got.append(
            requests.get(f"{control}/api/v1/requests", params=params, timeout=40).json()
        )
    )
    waiter.start()
    time.sleep(0.3)  # the long-poll is waiting now
    send(proxy, "/other")
    send(proxy, "/wanted/1")
    time.sleep(0.1)
    send(proxy, "/wanted/2")
    waiter.join(timeout=40)
    # It answered between the two: within 100 ms of the first matching request, not later.
    assert [item["path"] for item in got[0]] == ["/wanted/1"]


def test_a_wait_times_out_with_what_it_saw(control: str, session_name: str, proxy: str) -> None:
    send(proxy, "/one")
    params = {"session": session_name, "wait": 0.3, "count": 2}
    answer = requests.get(f"{control}/api/v1/requests", params=params, timeout=10)
    assert answer.status_code == 408
    assert "waited 0.3s for 2 matching request(s), 1 arrived" in answer.json()["error"]
    assert [item["path"] for item in answer.json()["seen"]] == ["/one"]
    bad = requests.get(f"{control}/api/v1/requests", params={"wait": -1}, timeout=10)
    assert bad.status_code == 400


def test_verify_can_wait_for_the_count(control: str, session_name: str, proxy: str) -> None:
    requests.post(f"{control}/api/v1/sessions", json={"name": session_name}, timeout=10)
    later = threading.Timer(0.3, lambda: send(proxy, "/late"))
    later.start()
    try:
        answer = verify(control, session_name, rule="GET /late", times=1, wait=30)
    finally:
        later.join()
    assert answer.status_code == 200 and answer.json()["count"] == 1


def test_history_past_the_limit_drops_the_oldest_and_says_so(tmp_path: Path) -> None:
    with launch(["--history-limit", "3"], confdir=tmp_path) as server:
        proxy = server.proxy.replace("http://", "http://capped:x@")
        for n in range(5):
            send(proxy, f"/{n}")
        params = {"session": "capped"}
        answer = requests.get(f"{server.control}/api/v1/requests", params=params, timeout=10)
        assert [item["path"] for item in answer.json()] == ["/2", "/3", "/4"]
        assert answer.headers["X-Pretenders-Dropped"] == "2"
        session = requests.get(f"{server.control}/api/v1/sessions/capped", timeout=10).json()
        assert (session["requests"], session["dropped"]) == (3, 2)
        checked = verify(server.control, "capped", rule="GET", at_least=1).json()
        assert checked["dropped"] == 2
