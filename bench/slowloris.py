"""Slowloris: idle attackers and half-sent heads on the listeners; what still gets served.

    python bench/slowloris.py NAME [--files SOFT:HARD] [--squeeze N] [--attack control=1010]
                                   [--seconds 60] [--code DIR] [-- SERVER FLAGS]

`pretenders serve` starts (under the open-file limit `--files`, set with prlimit), a preset is
added, and one keep-alive connection per listener is opened (HTTP to the control port and the
proxy, an SMTP session). Then a half-sent request head goes to the control port and one to the
proxy, and the idle attackers connect (`--attack LISTENER=N`, repeatable; they send nothing).
For `--seconds`, once a round, GET /health, a proxied preset and an SMTP message are tried over
fresh connections and over the kept ones (a probe gives up after 5 s). `--squeeze N` first
lowers the running server's limit, soft and hard, to the files it has open plus N, as other
work using files would. Then the attackers leave and each listener must answer a fresh
connection again. Recorded in bench/results/slowloris.json under NAME: answers that went
through, when each half-sent head was closed, the server's log lines and tracebacks.
`--code DIR` runs the pretenders_proxy in DIR (a worktree of an older commit: the "before").
Loopback only; bounded by --seconds.
"""

import argparse
import contextlib
import json
import os
import resource
import smtplib
import socket
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from email.message import EmailMessage
from http.client import HTTPConnection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from harness import PYTHON, RESULTS, free_port, machine, service

HALF = b"GET http://x.test/ HTTP/1.1\r\nHost: x.test\r\n"
PROBE_TIMEOUT = 5.0


def start_command(files: str | None, ports: dict[str, int], confdir: Path, flags: list[str]):
    line = [PYTHON, "-m", "pretenders_proxy", "serve", "--confdir", str(confdir)]
    line += ["--port", str(ports["control"]), "--proxy-port", str(ports["proxy"])]
    line += ["--smtp-port", str(ports["smtp"]), "--smtp-port-range", "0", *flags]
    return ["prlimit", f"--nofile={files}", "--", *line] if files else line


def preset(control: int) -> None:
    body = json.dumps({"rule": "GET /kept", "text": "kept"}).encode()
    url = f"http://127.0.0.1:{control}/api/v1/presets"
    urllib.request.urlopen(urllib.request.Request(url, body, method="POST"), timeout=30).read()


def mail(subject: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, "a@x.test", "b@x.test"
    message.set_content("hello")
    return message


def fresh_probes(ports: dict[str, int]) -> dict[str, Callable[[], bool]]:
    def health() -> bool:
        connection = HTTPConnection("127.0.0.1", ports["control"], timeout=PROBE_TIMEOUT)
        with contextlib.closing(connection):
            return ask(connection, "/health")[0] == 200

    def proxied() -> bool:
        connection = HTTPConnection("127.0.0.1", ports["proxy"], timeout=PROBE_TIMEOUT)
        with contextlib.closing(connection):
            return ask(connection, "http://x.test/kept") == (200, b"kept")

    def smtp() -> bool:
        with smtplib.SMTP("127.0.0.1", ports["smtp"], timeout=PROBE_TIMEOUT) as session:
            return session.send_message(mail("fresh")) == {}

    return {"health": health, "proxied": proxied, "smtp": smtp}


def kept_probes(
    ports: dict[str, int], stack: contextlib.ExitStack
) -> dict[str, Callable[[], bool]]:
    web = HTTPConnection("127.0.0.1", ports["control"], timeout=PROBE_TIMEOUT)
    via = HTTPConnection("127.0.0.1", ports["proxy"], timeout=PROBE_TIMEOUT)
    session = smtplib.SMTP("127.0.0.1", ports["smtp"], timeout=PROBE_TIMEOUT)
    stack.callback(web.close)
    stack.callback(via.close)
    stack.callback(session.close)
    ask(web, "/health"), ask(via, "http://x.test/kept")  # connected now, before the attack
    return {
        "health": lambda: ask(web, "/health")[0] == 200,
        "proxied": lambda: ask(via, "http://x.test/kept") == (200, b"kept"),
        "smtp": lambda: session.send_message(mail("kept")) == {},
    }


def ask(connection: HTTPConnection, target: str) -> tuple[int, bytes]:
    connection.request("GET", target, headers={"Host": "x.test"})
    answer = connection.getresponse()
    return answer.status, answer.read()


def tally(probes: dict[str, Callable[[], bool]], counts: Counter[str], kind: str) -> None:
    for name, probe in probes.items():
        try:
            ok = probe()
        except (OSError, smtplib.SMTPException, ValueError):
            ok = False
        counts[f"{kind} {name} {'ok' if ok else 'failed'}"] += 1


def attack(where: dict[str, int], targets: dict[str, int]) -> tuple[list[socket.socket], dict]:
    """Idle connections to each listener; a listener whose accept queue is full (connects time
    out, after the kernel's retry of a dropped SYN at 1 s) gets no more after three in a row."""
    made: list[socket.socket] = []
    connected: Counter[str] = Counter()
    for listener, count in targets.items():
        timeouts = 0
        for _ in range(count):
            try:
                made.append(socket.create_connection(("127.0.0.1", where[listener]), timeout=3))
            except OSError:
                timeouts += 1
                if timeouts == 3:
                    break
                continue
            timeouts = 0
            connected[listener] += 1
    return made, dict(connected)


class HalfHead(threading.Thread):
    """A request head sent half-way; `closed` is when the server closed it (seconds)."""

    def __init__(self, port: int, wait: float) -> None:
        super().__init__(daemon=True)
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=wait)
        self.socket.sendall(HALF)
        self.sent = time.monotonic()
        self.closed: float | None = None
        self.answer = b""
        self.start()

    def run(self) -> None:
        with contextlib.suppress(OSError), self.socket:
            while chunk := self.socket.recv(65536):
                self.answer += chunk
            self.closed = round(time.monotonic() - self.sent, 1)


def squeeze(pid: int, room: int) -> int:
    """Lower the server's open-file limit, soft and hard, to what it has open plus `room`."""
    in_use = len(os.listdir(f"/proc/{pid}/fd"))
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (in_use + room, in_use + room))
    return in_use + room


def log_lines(log: Path) -> dict[str, int]:
    lines = log.read_text(errors="replace").splitlines()
    return {
        "lines": len(lines),
        "tracebacks": sum(line.startswith("Traceback") for line in lines),
        "cannot accept": sum("cannot accept connections" in line for line in lines),
        "refused (gate)": sum("refusing new ones" in line for line in lines),
    }


def run(options: argparse.Namespace) -> dict[str, object]:
    ports = {name: free_port() for name in ("control", "proxy", "smtp")}
    # `python -m` looks in its working directory first: run an older tree from inside it
    env = {"PYTHONPATH": options.code} if options.code else None
    cwd = Path(options.code) if options.code else None
    with tempfile.TemporaryDirectory() as confdir, contextlib.ExitStack() as stack:
        command = start_command(options.files, ports, Path(confdir), options.flags)
        server = stack.enter_context(service("pretenders", command, ports["control"], env, cwd))
        limit = Path(f"/proc/{server.pid}/limits").read_text()
        preset(ports["control"])
        kept = kept_probes(ports, stack)
        squeezed = squeeze(server.pid, options.squeeze) if options.squeeze else None
        heads = {name: HalfHead(ports[name], options.seconds) for name in ("control", "proxy")}
        attackers, connected = attack(ports, dict(options.attack))
        stack.callback(lambda: [a.close() for a in attackers])
        counts: Counter[str] = Counter()
        until = time.monotonic() + options.seconds
        while time.monotonic() < until:
            second = time.monotonic() + 1
            tally(fresh_probes(ports), counts, "fresh")
            tally(kept, counts, "kept")
            time.sleep(max(0.0, second - time.monotonic()))
        during = log_lines(server.log)
        for attacker in attackers:
            attacker.close()
        recovered = Counter[str]()
        time.sleep(2)
        tally(fresh_probes(ports), recovered, "after")
        return {
            "open files": _max_open_files(limit),
            "squeezed to": squeezed,
            "attackers connected": connected,
            "answers during the attack": dict(sorted(counts.items())),
            "half-sent heads closed after (s)": {n: h.closed for n, h in heads.items()},
            "half-sent heads answered": {n: h.answer[:12].decode() for n, h in heads.items()},
            "log during the attack": during,
            "fresh answers after the attackers left": dict(sorted(recovered.items())),
        }


def _max_open_files(limits: str) -> str:
    line = next(line for line in limits.splitlines() if line.startswith("Max open files"))
    return " ".join(line.split()[3:5])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name")
    parser.add_argument("--files", help="SOFT:HARD open-file limit the server starts under")
    parser.add_argument("--squeeze", type=int, default=0)
    parser.add_argument("--attack", type=_target, action="append", default=[])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--code", help="run the pretenders_proxy found in this directory")
    options, flags = parser.parse_known_args()  # after --: more `pretenders serve` flags
    options.flags = [flag for flag in flags if flag != "--"]
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the attackers need files too
    result = {
        "about": __doc__.strip().splitlines()[0],
        "machine": machine(),
        "settings": {k: v for k, v in vars(options).items() if k != "name"},
        **run(options),
    }
    path = RESULTS / "slowloris.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    known[options.name] = result
    RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(known, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k not in ("about", "machine")}, indent=1))
    print(f"-> {path} [{options.name}]")


def _target(text: str) -> tuple[str, int]:
    listener, _, count = text.partition("=")
    if listener not in ("control", "proxy", "smtp") or not count.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not like control=1010")
    return listener, int(count)


if __name__ == "__main__":
    main()
