"""Issue 15, regex denial of service: a rule that backtracks for ever must not stall the one event
loop. A real server with hostile rules; while requests against them are in flight, /health, SMTP
and other sessions' presets answer; the near-miss says the rule timed out; the log says it once."""

import smtplib
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.integration.mailing import message

ISSUE_RULE = "GET /(a+)+$"
"""The issue's rule: 9 s on `re` for 27 a's (the `regex` package sees through it)."""
HOSTILE = "GET /(a|a)*$"
"""Backtracks exponentially on `re` and on `regex` alike: only the time budget stops it."""
SLOW_PATH = "/" + "a" * 30 + "!"
HEALTH_BOUND = 0.5
"""The issue's bound for /health while a hostile rule is being tried."""


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[RunningServer]:
    with launch() as server:
        yield server


def post(server: RunningServer, path: str, **kw: object) -> requests.Response:
    answer = requests.post(f"{server.control}{path}", timeout=10, **kw)  # type: ignore[arg-type]
    assert answer.status_code < 300, answer.text
    return answer


def mock(server: RunningServer, name: str, *rules: str) -> None:
    post(server, "/api/v1/sessions", json={"name": name})
    for rule in rules:
        post(server, "/api/v1/presets", params={"session": name}, json={"rule": rule})


def health_times(server: RunningServer, probes: int = 5) -> list[float]:
    took = []
    for _ in range(probes):
        started = time.perf_counter()
        requests.get(f"{server.control}/health", timeout=10).raise_for_status()
        took.append(time.perf_counter() - started)
        time.sleep(0.05)
    return took


def while_in_flight[T](hammer: Callable[[], object], check: Callable[[], T]) -> T:
    """`check()` while three threads keep `hammer()`ing (each call bounded by its own timeout)."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            hammer()

    with ThreadPoolExecutor(3) as pool:
        running = [pool.submit(loop) for _ in range(3)]
        time.sleep(0.3)  # the hostile requests are in flight
        try:
            return check()
        finally:
            stop.set()
            for future in running:
                future.result(timeout=60)


def test_a_hostile_rule_does_not_stall_the_server(hostile_server: RunningServer) -> None:
    mock(hostile_server, "victim", ISSUE_RULE, HOSTILE)
    mock(hostile_server, "bystander", "GET /ok")
    victim = f"{hostile_server.control}/mockhttp/victim{SLOW_PATH}"

    def others_still_served() -> list[float]:
        took = health_times(hostile_server)
        ok = requests.get(f"{hostile_server.control}/mockhttp/bystander/ok", timeout=10)
        assert ok.status_code == 200
        with smtplib.SMTP(*hostile_server.smtp, timeout=10) as smtp:
            smtp.login("bystander", "x")
            assert smtp.send_message(message("through")) == {}
        return took

    took = while_in_flight(lambda: requests.get(victim, timeout=15), others_still_served)
    assert statistics.median(took) < HEALTH_BOUND, took
    missed = requests.get(victim, timeout=10)
    assert missed.status_code == 404
    assert f"  - rule timed out: {HOSTILE!r} ran over 20 ms on 'GET /aaaa" in missed.text
    said = [line for line in hostile_server.output if f"(rule {HOSTILE!r}) timed out" in line]
    assert len(said) == 1, said


def test_a_hostile_smtp_recipient_regex_does_not_stall_the_server(
    hostile_server: RunningServer,
) -> None:
    post(hostile_server, "/api/v1/sessions", json={"name": "mailer"})
    hostile = "^(a|a)*@$"
    post(hostile_server, "/api/v1/smtp/presets", params={"session": "mailer"},
         json={"recipient": hostile})  # fmt: skip

    def send() -> None:
        with smtplib.SMTP(*hostile_server.smtp, timeout=15) as smtp:
            smtp.login("mailer", "x")
            # the preset's regex times out on this recipient: no match, the mail is accepted
            assert smtp.send_message(message("hostile"), to_addrs=["a" * 30 + "!@x.test"]) == {}

    took = while_in_flight(send, lambda: health_times(hostile_server))
    assert statistics.median(took) < HEALTH_BOUND, took
    said = [line for line in hostile_server.output if f"(recipient {hostile!r}) timed out" in line]
    assert len(said) == 1, said


def test_hostile_regexes_in_verify_and_history_filters_are_bounded(
    hostile_server: RunningServer,
) -> None:
    mock(hostile_server, "scanned")
    for n in range(20):  # each would take `re` minutes: the requests' timeouts say when it hangs
        path = "/" + "a" * (30 + n) + "!"
        requests.get(f"{hostile_server.control}/mockhttp/scanned{path}", timeout=10)
    listed = requests.get(
        f"{hostile_server.control}/api/v1/requests",
        params={"session": "scanned", "path": "^/(a|a)*$"},
        timeout=30,
    )
    assert listed.status_code == 200 and listed.json() == []
    verified = requests.post(
        f"{hostile_server.control}/api/v1/verify",
        params={"session": "scanned"},
        json={"rule": HOSTILE},
        timeout=30,
    )
    assert verified.status_code == 409
    assert "The rule's regexes timed out (20 ms each) on 4 request(s)" in verified.json()["error"]
