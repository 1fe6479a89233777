"""History and mail are bounded (issue 15): request bodies are kept up to 64 KiB like responses,
sessions by --history-max-bytes as well as by count, and a timed-out wait answers a small 408."""

import base64
import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
import requests

from pretenders_proxy.client.v1 import Pretenders
from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.integration.paging import every

MIB = 1024 * 1024
KEPT = 64 * 1024


def memory(pid: int, field: str = "VmRSS") -> int:
    """The process's resident memory (or its peak, VmHWM) in MiB, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024
    raise LookupError(field)


def session_of(server: RunningServer, name: str | None = None) -> Pretenders:
    """A client of a new session of `server` (use it in a `with`, which closes it)."""
    with Pretenders(server.control) as root:
        return root.session(name)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server of its own: its memory is measured."""
    with launch([], confdir=tmp_path_factory.mktemp("bounds")) as server:
        yield server


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server keeping 1 MiB of requests (and of mail) per session."""
    args = ["--history-max-bytes", "1m", "--smtp-max-size", "4194304"]
    with launch(args, confdir=tmp_path_factory.mktemp("small")) as server:
        yield server


def test_twenty_16_mib_uploads_keep_64_kib_each_and_list_in_pages(fresh: RunningServer) -> None:
    # Before: history kept every body whole (+321 MB), and listing them built 746 MiB of JSON
    # for 32 s (peak RSS 2.6 GB). The rest of the growth here is the allocator and finished
    # flows awaiting the cyclic collector (mitmproxy's per-stream layers hold cycles).
    with session_of(fresh, "uploads") as fake:
        fake.when("POST /upload").reply("stored")
        proxies = {"http": fake.proxy_url}
        requests.post("http://files.test/upload", data=b"warm-up", proxies=proxies, timeout=30)
        before = memory(fresh.pid)
        body = b"u" * (16 * MIB)
        for _ in range(20):
            answer = requests.post(
                "http://files.test/upload", data=body, proxies=proxies, timeout=60
            )
            assert answer.text == "stored"
        grown = memory(fresh.pid) - before
        assert grown < 240, f"20 uploads of 16 MiB grew the server by {grown} MiB"
        first = requests.get(f"{fresh.control}/api/v1/requests", params={"session": "uploads"})
        assert len(first.content) < 8 * MIB
        seen = fake.requests()  # every page
        assert len(seen) == 21 and len(seen[-1].body) == KEPT and seen[-1].body == body[:KEPT]
        assert (seen[-1].raw["body_size"], seen[-1].raw["body_truncated"]) == (16 * MIB, True)
        assert seen[0].raw["body_truncated"] is False and seen[0].body == b"warm-up"
        assert memory(fresh.pid, "VmHWM") - before < 400


def test_the_14_history_keeps_its_shape_with_the_kept_part_of_a_long_body(
    fresh: RunningServer,
) -> None:
    mock = requests.post(f"{fresh.control}/http", json={"name": "long-bodies"}, timeout=10)
    mock_url = fresh.control + mock.json()["path"]
    requests.post(mock_url + "/up", data=b"a" * (KEPT + 10), timeout=10)
    item = requests.get(f"{fresh.control}/history/long-bodies/0", timeout=10).json()
    assert set(item) == {"body", "headers", "method", "url", "rule"}
    assert base64.b64decode(item["body"]) == b"a" * KEPT


def test_a_verification_on_a_cut_body_says_it_was_cut(fresh: RunningServer) -> None:
    with session_of(fresh) as fake:
        big = {"name": "x" * (100 * 1024), "tag": "release"}
        requests.post(
            "http://api.test/items", json=big, proxies={"http": fake.proxy_url}, timeout=10
        )
        with pytest.raises(AssertionError) as failed:
            fake.assert_requested("POST /items", json={"tag": "release"})
        assert "history keeps only the first 64 KiB" in str(failed.value)
        assert "were tried on that part alone" in str(failed.value)


def test_history_is_bounded_by_bytes_and_says_what_it_dropped(small: RunningServer) -> None:
    mock = requests.post(f"{small.control}/http", json={"name": "bytes"}, timeout=10).json()
    for _ in range(40):
        requests.post(small.control + mock["path"] + "/in", data=b"b" * KEPT, timeout=10)
    url, scope = f"{small.control}/api/v1/requests", {"session": "bytes"}
    kept = len(every(url, scope))  # pages of at most 1 MiB of JSON: 7 of these entries each
    dropped = int(requests.get(url, params=scope, timeout=10).headers["X-Pretenders-Dropped"])
    assert 10 <= kept <= 16 and kept + dropped == 40
    info = requests.get(f"{small.control}/api/v1/sessions/bytes", timeout=10).json()
    assert (info["requests"], info["dropped"]) == (kept, dropped)


def _mail(size: int) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"], mail["From"], mail["To"] = f"{size} bytes", "a@x.test", "b@x.test"
    mail.set_content("m" * size)
    return mail


def test_mail_is_bounded_by_bytes_kept_whole_and_the_newest_always(small: RunningServer) -> None:
    requests.post(f"{small.control}/api/v1/sessions", json={"name": "post"}, timeout=10)
    with smtplib.SMTP(*small.smtp, timeout=10) as smtp:
        smtp.login("post", "x")
        for _ in range(5):
            smtp.send_message(_mail(300 * 1024))
        smtp.send_message(_mail(2 * MIB))  # more than the bound alone: kept, the rest go
    info = requests.get(f"{small.control}/api/v1/sessions/post", timeout=10).json()
    assert (info["mails"], info["mails_dropped"]) == (1, 5)
    (only,) = requests.get(f"{small.control}/api/v1/mail", params={"session": "post"}).json()
    raw = requests.get(f"{small.control}/api/v1/mail/{only['id']}/raw", timeout=10).content
    assert only["size"] == len(raw) > 2 * MIB


def test_a_timed_out_wait_lists_only_the_latest_requests(server: RunningServer) -> None:
    with session_of(server) as fake:
        for number in range(30):
            requests.get(
                f"http://api.test/n/{number}", proxies={"http": fake.proxy_url}, timeout=10
            )
        params = {"session": fake.name, "wait": "0.2", "count": "100"}
        answer = requests.get(f"{server.control}/api/v1/requests", params=params, timeout=10)
        assert answer.status_code == 408
        body = answer.json()
        assert [item["path"] for item in body["seen"]] == [f"/n/{n}" for n in range(10, 30)]
        assert "30 arrived (the latest 20 are under 'seen')" in body["error"]
        with pytest.raises(AssertionError) as failed:  # the client still holds every one
            fake.wait_for_requests(100, timeout=0.2)
        assert len(failed.value.seen) == 30  # type: ignore[attr-defined]
