"""docs/scale.md's example run as written: two pretenders instances on one real redis-server
behind HAProxy with the doc's configuration, each port number the doc uses replaced by a free
one. Through the balancer they act as one server."""

import re
import shlex
import smtplib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
import requests

from pretenders_proxy import Pretenders
from pretenders_proxy.testing.launcher import RunningServer, start
from tests.integration.haproxy import HAProxy, require
from tests.integration.redis_server import RedisServer, free_port
from tests.integration.v1_clients import client, opened

DOC = (Path(__file__).parents[2] / "docs" / "scale.md").read_text()
REDIS, CONTROL, PROXY, SMTP, STATS = 6379, 8000, 8080, 1025, 8404
INSTANCES = (8101, 8181, 1101, 8102, 8182, 1102)
"""Instance A's control, proxy and SMTP ports, then B's, as the doc gives them."""
DOC_PORTS = (REDIS, CONTROL, PROXY, SMTP, STATS, *INSTANCES)


def example(name: str) -> str:
    found = re.search(rf"<!-- scale example: {name} -->\n```\w*\n(.*?)```", DOC, re.S)
    assert found, f"docs/scale.md has no example {name}"
    return found.group(1)


def templated(text: str, ports: dict[int, int]) -> str:
    """`text` with each documented port number replaced by its free one, in one pass (a free
    port that happens to equal a documented one is never replaced again)."""
    numbers = "|".join(str(port) for port in ports)
    return re.sub(rf"\b({numbers})\b", lambda m: str(ports[int(m.group(1))]), text)


@dataclass
class Fleet:
    instances: list[RunningServer]
    balancer: HAProxy
    ports: dict[int, int]

    @property
    def control(self) -> str:
        return f"http://127.0.0.1:{self.ports[CONTROL]}"

    def get(self, session: str, url: str) -> requests.Response:
        """`url` through the balanced proxy as `session`, on a connection of its own."""
        proxy = f"http://{session}:x@127.0.0.1:{self.ports[PROXY]}"
        return requests.get(url, proxies={"http": proxy}, timeout=10)

    def mail(self, session: str, to: str) -> None:
        message = EmailMessage()
        message["Subject"], message["From"], message["To"] = "Your code", "app@x.test", to
        message.set_content("code 123456")
        with smtplib.SMTP("127.0.0.1", self.ports[SMTP], timeout=10) as smtp:
            smtp.login(session, "x")
            smtp.send_message(message)


def free_ports(redis: RedisServer) -> dict[int, int]:
    ports = {REDIS: redis.port}
    while len(ports) < len(DOC_PORTS):
        port = free_port()
        if port not in ports.values():
            ports[DOC_PORTS[len(ports)]] = port
    return ports


def check_seconds() -> int:
    """How long the doc's checks take to put a server down: `inter` seconds times `fall`."""
    found = re.search(r"check inter (\d+)s fall (\d+)", example("haproxy.cfg"))
    assert found, "the doc's default-server line no longer says `check inter Ns fall N`"
    return int(found.group(1)) * int(found.group(2))


def the_instances(ports: dict[int, int], confdir: Path) -> list[RunningServer]:
    lines = templated(example("instances"), ports).splitlines()
    commands = [shlex.split(line.rstrip(" &")) for line in lines if line.startswith("pretenders")]
    assert [command[:2] for command in commands] == [["pretenders", "serve"]] * 2
    return [start(command[2:], confdir=confdir) for command in commands]


def the_balancer(ports: dict[int, int], folder: Path) -> HAProxy:
    config = templated(example("haproxy.cfg"), ports)
    named = set(re.findall(r"127\.0\.0\.1:(\d+)|port (\d+)", config))
    assert {int(port) for pair in named for port in pair if port} <= set(ports.values())
    lines = example("instances").splitlines()
    command = shlex.split(next(line for line in lines if line.startswith("haproxy")))
    assert command == ["haproxy", "-db", "-f", "pretenders.haproxy.cfg"]
    (folder / command[-1]).write_text(config)
    command = [require(), *command[1:-1], str(folder / command[-1])]
    return HAProxy(command, f"http://127.0.0.1:{ports[STATS]}/", folder / "haproxy.log")


@pytest.fixture
def fleet(redis_server: RedisServer, confdir: Path, tmp_path: Path) -> Iterator[Fleet]:
    require()
    ports = free_ports(redis_server)
    for port in DOC_PORTS:
        assert re.search(rf"\b{port}\b", example("instances") + example("haproxy.cfg"))
    instances = the_instances(ports, confdir)
    balancer = the_balancer(ports, tmp_path)
    try:
        yield Fleet(instances, balancer.start(servers=6), ports)
    finally:
        balancer.stop()
        for server in instances:
            server.stop()


def wait_until(holds: Callable[[], bool], what: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not holds():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.05)


class EventStream:
    """The event stream at `url`, read in a thread until `count` events came: one connection,
    so one instance (the balancer chose it)."""

    def __init__(self, url: str, count: int) -> None:
        self.url, self.count, self.events = url, count, list[str]()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._read)
        self.thread.start()
        assert self.ready.wait(15), "the event stream through the balancer never opened"

    def _read(self) -> None:
        with httpx.stream("GET", self.url, timeout=30) as stream:
            for line in stream.iter_lines():
                self.ready.set()  # the first line (": connected") comes once it is subscribed
                if line.startswith("event: "):
                    self.events.append(line.removeprefix("event: "))
                if len(self.events) == self.count:
                    return

    def finish(self) -> list[str]:
        self.thread.join(30)
        return self.events


def waiting(fleet: Fleet) -> int:
    """The waits and event streams in progress, summed over the instances."""
    return sum(httpx.get(f"{s.control}/health").json()["waiting"] for s in fleet.instances)


def times_3_answer_three_of_four(fleet: Fleet, shop: Pretenders) -> None:
    shop.when("GET /stock").reply("12 left", times=3)
    answers = [fleet.get("shop", "http://api.test/stock") for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 404]
    assert [r.text for r in answers[:3]] == ["12 left"] * 3
    assert "X-Pretenders-Miss" in answers[3].headers
    sent = fleet.balancer.sent("proxy")
    assert sent["a"] >= 1 and sent["b"] >= 1, sent  # both instances answered some
    for server in fleet.instances:  # asked on its own control port: it lists them all
        seen = client(server.control, "shop")
        assert [r.source for r in seen.requests()] == ["preset"] * 3 + ["miss"]
        assert [m.path for m in seen.misses()] == ["/stock"]


def a_wait_ends_with_requests_to_both(fleet: Fleet, shop: Pretenders, streams: int) -> None:
    found: list[object] = []
    waiter = threading.Thread(
        target=lambda: found.append(shop.wait_for_requests(2, timeout=60, path="/late"))
    )
    waiter.start()

    wait_until(lambda: waiting(fleet) == streams + 1, "the wait reached an instance")
    before = fleet.balancer.sent("proxy")
    assert [fleet.get("shop", "http://api.test/late").status_code for _ in range(2)] == [404] * 2
    after = fleet.balancer.sent("proxy")
    assert all(after[s] > before[s] for s in after), (before, after)  # one was the other's
    waiter.join(30)
    assert found, "the wait through the balancer never ended"


def test_through_the_balancer_two_instances_act_as_one(fleet: Fleet) -> None:
    shop = opened(fleet.control, "shop", timeout="FOREVER")
    stream = EventStream(f"{fleet.control}/api/v1/events?session=shop", 7)
    times_3_answer_three_of_four(fleet, shop)
    a_wait_ends_with_requests_to_both(fleet, shop, streams=1)
    fleet.mail("shop", "erin@x.test")
    assert "123456" in shop.mail.wait(to="erin@", timeout=30).text
    assert sum(fleet.balancer.sent("smtp").values()) == 1
    # What reached either instance, on one instance's stream.
    assert stream.finish() == ["request"] * 6 + ["mail"]
    # Once its client left, the stream ends on the instance too: it holds nothing there.
    wait_until(lambda: waiting(fleet) == 0, "the stream ended on its instance")


def test_while_redis_is_down_the_balancer_passes_on_pretenders_own_answers(
    fleet: Fleet, redis_server: RedisServer
) -> None:
    held = opened(fleet.control, "held", timeout="FOREVER")
    held.when("GET /x").reply("x")
    redis_server.stop()
    deadline = time.monotonic() + check_seconds() * 1.5  # the checks ran more than `fall` times
    while time.monotonic() < deadline:
        api = httpx.get(f"{fleet.control}/api/v1/requests", params={"session": "held"})
        assert api.status_code == 503 and "unreachable" in api.json()["error"]
        proxied = fleet.get("held", "http://api.test/x")
        assert proxied.status_code == 503 and "X-Pretenders-Error" in proxied.headers
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            fleet.mail("held", "erin@x.test")
        assert all(code == 451 for code, _ in refused.value.recipients.values())
        time.sleep(0.5)
    servers = fleet.balancer.servers()
    assert {(r["status"], r["chkfail"]) for r in servers} == {("UP", "0")}, servers
    redis_server.start()
    assert fleet.get("held", "http://api.test/x").text == "x"
    assert [r.path for r in held.requests()] == ["/x"]
