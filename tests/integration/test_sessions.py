"""Two sessions through one proxy port at once: presets, history, cassettes and mail apart."""

import smtplib
import threading
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
import requests

from pretenders_proxy import Pretenders
from pretenders_proxy.testing.launcher import RunningServer
from tests.integration.paging import every
from tests.integration.upstream import Upstream


def get(client: Pretenders, url: str) -> requests.Response:
    return requests.get(url, proxies={"http": client.proxy_url}, timeout=10)


def mail(client: Pretenders, subject: str) -> None:
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, "a@x.test", "b@x.test"
    message.set_content(subject)
    with smtplib.SMTP(*client.smtp, timeout=10) as smtp:
        smtp.login(client.name, "x")
        smtp.send_message(message)


def test_two_sessions_at_once_see_only_their_own(
    server: RunningServer, upstream: Upstream, tmp_path: Path
) -> None:
    with Pretenders(server.control) as root:
        alice, bob = root.session(), root.session()
    cassette = tmp_path / "alice.cassette"
    alice.use_cassette(cassette, "once")  # recording
    get(alice, upstream.url + "/hello")
    alice.use_cassette(cassette, "none")  # replaying what alice recorded
    bob.when("GET /hello").reply("bob's preset")

    answers: dict[str, list[str]] = {"alice": [], "bob": []}

    def traffic(client: Pretenders, who: str) -> None:
        for n in range(10):
            answers[who].append(get(client, upstream.url + "/hello").text)
            mail(client, f"{who} {n}")

    workers = [
        threading.Thread(target=traffic, args=(c, w)) for c, w in ((alice, "alice"), (bob, "bob"))
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert answers["alice"] == ["hello, world\n"] * 10  # the cassette, not bob's preset
    assert answers["bob"] == ["bob's preset"] * 10  # the preset, not alice's cassette
    assert alice.presets() == [] and len(bob.presets()) == 1
    assert {r.source for r in alice.requests()} == {"upstream", "cassette"}
    assert {r.source for r in bob.requests()} == {"preset"} and len(bob.requests()) == 10
    assert len(alice.requests()) == 11
    assert {m.subject.split()[0] for m in alice.mail.list()} == {"alice"}
    assert {m.subject.split()[0] for m in bob.mail.list()} == {"bob"}
    assert bob.mode()["cassettes"] == [] and alice.mode()["cassettes"] == [str(cassette)]
    for client in (alice, bob):
        client.delete()
        client.close()


def test_a_session_with_a_timeout_expires_when_idle(server: RunningServer) -> None:
    with Pretenders(server.control) as root:
        short = root.session(timeout=0.3)
        kept = root.session(timeout="FOREVER")
        time.sleep(0.8)  # the timeout plus this server's 0.2 s sweep, with room
        names = [s["name"] for s in every(f"{server.control}/api/v1/sessions")]
        assert short.name not in names and kept.name in names
        assert root.http.get(f"/api/v1/sessions/{short.name}").status_code == 404
        kept.delete()
        for client in (short, kept):
            client.close()


def test_unused_lists_recordings_that_never_answered(
    server: RunningServer, upstream: Upstream, tmp_path: Path
) -> None:
    with Pretenders(server.control) as root:
        client = root.session()
    cassette = tmp_path / "two.cassette"
    client.use_cassette(cassette, "once")
    get(client, upstream.url + "/hello")
    get(client, upstream.url + "/counter")
    client.use_cassette(cassette, "none")
    get(client, upstream.url + "/hello")
    unused = client.http.get("/api/v1/unused", params={"session": client.name}).json()
    assert [(r["method"], r["url"], r["position"]) for r in unused["recordings"]] == [
        ("GET", upstream.url + "/counter", 2)
    ]
    with pytest.raises(AssertionError, match=r"recording GET .*/counter \(.*two.cassette #2\)"):
        client.assert_all_played()
    get(client, upstream.url + "/counter")
    client.assert_all_played()
    client.delete()
    client.close()
