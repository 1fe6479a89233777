"""A session's own proxy port: traffic without proxy credentials lands in that session (Java
sends none through a CONNECT), and the port closes with the session."""

import asyncio
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from pretenders_proxy import AsyncPretenders, Pretenders
from pretenders_proxy.certs import client_bundle
from pretenders_proxy.testing.launcher import RunningServer
from tests.integration.upstream import Upstream


def open_session(control: str, name: str) -> int:
    answer = requests.post(
        f"{control}/api/v1/sessions", json={"name": name, "proxy_port": True}, timeout=10
    )
    assert answer.status_code == 201, answer.text
    port: int = answer.json()["proxy_port"]
    return port


def preset(control: str, session: str, text: str) -> None:
    answer = requests.post(
        f"{control}/api/v1/presets",
        params={"session": session},
        json={"rule": {"rule": "GET /hello"}, "text": text},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text


def test_what_arrives_at_a_sessions_port_is_that_sessions(
    server: RunningServer, session_name: str, confdir: Path
) -> None:
    control = server.control
    port = open_session(control, session_name)
    preset(control, session_name, "own port")
    preset(control, "default", "shared port, no credentials")
    proxies = {"http": f"http://127.0.0.1:{port}", "https": f"http://127.0.0.1:{port}"}
    try:
        plain = requests.get("http://api.example.test/hello", proxies=proxies, timeout=10)
        assert plain.text == "own port"
        tls = requests.get(
            "https://api.example.test/hello",
            proxies=proxies,
            verify=str(client_bundle(confdir)),
            timeout=10,
        )
        assert tls.text == "own port"
        history = requests.get(
            f"{control}/api/v1/requests", params={"session": session_name}, timeout=10
        ).json()
        assert [(r["url"], r["source"]) for r in history] == [
            ("http://api.example.test/hello", "preset"),
            ("https://api.example.test/hello", "preset"),
        ]
        # the same port again for the live session; the session's JSON says it
        assert open_session(control, session_name) == port
        shown = requests.get(f"{control}/api/v1/sessions/{session_name}", timeout=10).json()
        assert shown["proxy_port"] == port
    finally:
        requests.delete(f"{control}/api/v1/sessions/{session_name}", timeout=10)
    # deleted: the port no longer listens
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_credentials_still_win_on_a_sessions_port(
    server: RunningServer, session_name: str, upstream: Upstream
) -> None:
    control = server.control
    port = open_session(control, session_name)
    other = session_name + "-other"
    open_session(control, other)
    preset(control, other, "named by credentials")
    try:
        answer = requests.get(
            "http://api.example.test/hello",
            proxies={"http": f"http://{other}:x@127.0.0.1:{port}"},
            timeout=10,
        )
        assert answer.text == "named by credentials"
    finally:
        for name in (session_name, other):
            requests.delete(f"{control}/api/v1/sessions/{name}", timeout=10)


def test_a_session_without_its_own_port_shows_none(control: str, session: str) -> None:
    shown = requests.get(f"{control}/api/v1/sessions/{session}", timeout=10).json()
    assert shown["proxy_port"] is None


def test_the_clients_open_a_sessions_own_proxy(server: RunningServer, session_name: str) -> None:
    with Pretenders(server.control).session(session_name) as fake:
        fake.when("GET /hello").reply("through my own port")
        own = fake.own_proxy()
        assert own == fake.own_proxy()  # the same port while the session lives
        answer = requests.get("http://api.example.test/hello", proxies={"http": own}, timeout=10)
        assert answer.text == "through my own port"
        assert asyncio.run(own_proxy_async(server.control, session_name)) == own
        fake.delete()


async def own_proxy_async(control: str, session: str) -> str:
    async with AsyncPretenders(control, session=session) as fake:
        return await fake.own_proxy()


def test_calls_at_once_for_one_session_get_one_port(control: str, session_name: str) -> None:
    with ThreadPoolExecutor(8) as pool:
        ports = set(pool.map(lambda _: open_session(control, session_name), range(8)))
    try:
        assert len(ports) == 1
    finally:
        requests.delete(f"{control}/api/v1/sessions/{session_name}", timeout=10)
