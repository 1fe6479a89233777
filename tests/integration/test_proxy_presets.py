"""Presets answering proxied traffic: curl, requests and httpx through the real proxy."""

import asyncio
import ssl
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests

from pretenders_proxy.testing.launcher import RunningServer


def add_preset(control: str, session: str, **preset: Any) -> dict[str, Any]:
    answer = requests.post(
        f"{control}/api/v1/presets", params={"session": session}, json=preset, timeout=10
    )
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


def history(control: str, session: str) -> list[dict[str, Any]]:
    answer = requests.get(f"{control}/api/v1/requests", params={"session": session}, timeout=10)
    items: list[dict[str, Any]] = answer.json()
    return items


@pytest.fixture
def ca(confdir: Path, server: RunningServer) -> str:
    return str(confdir / "mitmproxy-ca-cert.pem")


def test_curl_through_the_proxy_gets_the_preset(
    control: str, session_name: str, proxy: str
) -> None:
    add_preset(control, session_name, rule="GET /hello", host=r"api\.example\.test", text="hi\n")
    out = subprocess.run(
        ["curl", "-s", "-i", "-x", proxy, "http://api.example.test/hello"],
        capture_output=True,
        check=True,
        timeout=30,
    )
    assert out.stdout.startswith(b"HTTP/1.1 200")
    assert out.stdout.endswith(b"\r\n\r\nhi\n")


def test_https_through_the_proxy_with_the_pretenders_ca(
    control: str, session_name: str, proxy: str, ca: str
) -> None:
    add_preset(control, session_name, rule="GET /secure", body={"ok": True})
    answer = requests.get(
        "https://api.example.test/secure", proxies={"https": proxy}, verify=ca, timeout=10
    )
    assert answer.status_code == 200 and answer.json() == {"ok": True}
    out = subprocess.run(
        ["curl", "-s", "--cacert", ca, "-x", proxy, "https://api.example.test/secure"],
        capture_output=True,
        check=True,
        timeout=30,
    )
    assert out.stdout == b'{"ok": true}'


def test_httpx_sync_and_async(control: str, session_name: str, proxy: str, ca: str) -> None:
    rule = {"rule": "POST /items", "json": {"a": 1}}
    add_preset(control, session_name, rule=rule, status=201, text="created")
    with httpx.Client(proxy=proxy, verify=ssl.create_default_context(cafile=ca)) as client:
        assert client.post("https://shop.test/items", json={"a": 1, "b": 2}).status_code == 201
        assert client.post("https://shop.test/items", json={"a": 2}).status_code == 404

    async def call() -> httpx.Response:
        async with httpx.AsyncClient(proxy=proxy) as client:
            return await client.post("http://shop.test/items", json={"a": 1})

    assert asyncio.run(call()).text == "created"


def test_a_miss_names_the_closest_preset_and_is_in_history(
    control: str, session_name: str, proxy: str
) -> None:
    add_preset(control, session_name, rule="GET /hello", host="api.example.test", text="hi")
    answer = requests.get("http://api.example.test/helo", proxies={"http": proxy}, timeout=10)
    assert answer.status_code == 404
    assert answer.headers["X-Pretenders-Miss"] == "1"
    assert "Closest: preset" in answer.text and "rule 'GET /hello'" in answer.text
    assert "request 'GET /helo' does not match rule 'GET /hello'" in answer.text
    [seen] = history(control, session_name)
    assert (seen["source"], seen["status"], seen["url"]) == (
        "miss",
        404,
        "http://api.example.test/helo",
    )
    assert seen["miss"] == answer.text


def test_host_and_times_select_presets(control: str, session_name: str, proxy: str) -> None:
    add_preset(control, session_name, rule="GET /", host="one.test", text="one", times=1)
    add_preset(control, session_name, rule="GET /", host="two.test", text="two")
    proxies = {"http": proxy}
    got = [
        requests.get(f"http://{host}/", proxies=proxies, timeout=10)
        for host in ("two.test", "one.test", "one.test")
    ]
    assert [(r.status_code, r.text) for r in got][:2] == [(200, "two"), (200, "one")]
    assert got[2].status_code == 404
    sources = [item["source"] for item in history(control, session_name)]
    assert sources == ["preset", "preset", "miss"]


def test_sessions_do_not_see_each_other(control: str, server: RunningServer) -> None:
    alice, bob = (server.proxy.replace("http://", f"http://{n}:x@") for n in ("alice1", "bob1"))
    add_preset(control, "alice1", rule="GET /who", text="alice")
    assert requests.get("http://x.test/who", proxies={"http": alice}, timeout=10).text == "alice"
    assert requests.get("http://x.test/who", proxies={"http": bob}, timeout=10).status_code == 404
    assert len(history(control, "alice1")) == 1 and len(history(control, "bob1")) == 1


def test_a_delayed_preset_does_not_hold_up_others(
    control: str, session_name: str, proxy: str
) -> None:
    add_preset(control, session_name, rule="GET /slow", text="slow", after=1.5)
    add_preset(control, session_name, rule="GET /fast", text="fast")
    done: list[str] = []
    slow = threading.Thread(
        target=lambda: done.append(
            requests.get("http://x.test/slow", proxies={"http": proxy}, timeout=10).text
        )
    )
    slow.start()
    time.sleep(0.2)
    assert requests.get("http://x.test/fast", proxies={"http": proxy}, timeout=10).text == "fast"
    assert slow.is_alive()
    slow.join()
    assert done == ["slow"]


@pytest.mark.parametrize("fault", ["reset", "empty"])
def test_fault_presets_break_the_connection(
    control: str, session_name: str, proxy: str, fault: str
) -> None:
    add_preset(control, session_name, rule="GET /broken", fault=fault)
    with pytest.raises(requests.ConnectionError):
        requests.get("http://x.test/broken", proxies={"http": proxy}, timeout=10)
    [seen] = history(control, session_name)
    assert (seen["source"], seen["status"], seen["error"]) == ("preset", None, f"fault: {fault}")
    # the proxy keeps serving
    assert (
        requests.get("http://x.test/next", proxies={"http": proxy}, timeout=10).status_code == 404
    )


def test_proxy_credentials_are_not_forwarded(control: str, session_name: str, proxy: str) -> None:
    add_preset(control, session_name, rule="GET /", text="ok")
    requests.get("http://x.test/", proxies={"http": proxy}, timeout=10)
    [seen] = history(control, session_name)
    assert all(name.lower() != "proxy-authorization" for name, _ in seen["headers"])


def test_json_path_rules_through_the_proxy(control: str, session_name: str, proxy: str) -> None:
    rule = {"rule": "POST /orders", "json": {"$.customer.id": 7, "$.items[*].sku": "A1"}}
    add_preset(control, session_name, rule=rule, status=201, text="created")
    order = {"customer": {"id": 7, "name": "Ann"}, "items": [{"sku": "B2"}, {"sku": "A1"}]}
    proxies = {"http": proxy}
    url = "http://shop.test/orders"
    assert requests.post(url, json=order, proxies=proxies, timeout=10).status_code == 201
    other = {**order, "customer": {"id": 8}}
    missed = requests.post(url, json=other, proxies=proxies, timeout=10)
    assert missed.status_code == 404
    assert "JSON body has nothing at $.customer.id containing 7" in missed.text
    assert "json:$.customer.id: 8 vs 7" in missed.text


def test_a_json_rule_key_that_is_no_path_is_a_400(control: str, session_name: str) -> None:
    answer = requests.post(
        f"{control}/api/v1/presets",
        params={"session": session_name},
        json={"rule": {"rule": "POST", "json": {"$.items[": 1}}},
        timeout=10,
    )
    assert answer.status_code == 400
    assert "json path '$.items[': unclosed bracket at 8" in answer.text
