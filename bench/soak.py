"""Soak: steady proxy traffic and mail for --minutes (default 10); RSS must stay flat once the
history limit is reached.

    python bench/soak.py [--minutes 10] [--rate 100] [--mail-rate 5] [--history-limit 1000]

pretenders serves a preset through its proxy (loopback only) to one client thread at `--rate`
requests/s while another sends `--mail-rate` mails/s to its SMTP port. RSS is sampled every
5 s. Once both journals are full (history and mail past `--history-limit` items, about
`--history-limit / --rate` s in), the RSS at that point is the plateau; the soak passes when
the last RSS exceeds it by less than `--tolerance` (default 10%) and no request or mail
failed. The summary goes to bench/results/soak.json.
"""

import argparse
import http.client
import smtplib
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from harness import machine, write
from systems import PAYLOAD, call, pretenders
from w3_smtp import SIZE


def message(n: int, size: int) -> bytes:
    """A plain mail of about `size` bytes (as bench/peers/smtp_send.py makes them)."""
    mail = EmailMessage()
    mail["Subject"], mail["From"], mail["To"] = f"soak {n}", "soak@bench.test", "sink@bench.test"
    mail.set_content(("x" * 76 + "\n") * (size // 77))
    return mail.as_bytes(policy=SMTP)


class Traffic:
    """Paced request and mail loops on threads, counting what failed."""

    def __init__(self, proxy_port: int, smtp_port: int, rate: float, mail_rate: float) -> None:
        self.proxy_port, self.smtp_port = proxy_port, smtp_port
        self.rate, self.mail_rate = rate, mail_rate
        self.stop = threading.Event()
        self.counts = {"requests": 0, "request_errors": 0, "mails": 0, "mail_errors": 0}

    def _paced(self, rate: float, step: "object") -> None:
        started, n = time.monotonic(), 0
        while not self.stop.is_set():
            step()  # type: ignore[operator]
            n += 1
            pause = started + n / rate - time.monotonic()
            if pause > 0:
                self.stop.wait(pause)

    def requests(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.proxy_port, timeout=30)

        def one() -> None:
            nonlocal connection
            try:
                connection.request("GET", "http://soak.test/items/1", headers={"Host": "soak.test"})
                answer = connection.getresponse()
                body = answer.read()
                ok = answer.status == 200 and body == PAYLOAD
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.proxy_port, timeout=30)
            self.counts["requests" if ok else "request_errors"] += 1

        self._paced(self.rate, one)

    def mails(self) -> None:
        smtp = smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=30)

        def one() -> None:
            nonlocal smtp
            try:
                mail = message(self.counts["mails"], SIZE)
                smtp.sendmail("soak@bench.test", ["sink@bench.test"], mail)
                self.counts["mails"] += 1
            except (OSError, smtplib.SMTPException):
                self.counts["mail_errors"] += 1
                smtp = smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=30)

        self._paced(self.mail_rate, one)
        smtp.quit()


def run(options: argparse.Namespace) -> dict[str, object]:
    limit = ["--history-limit", str(options.history_limit)]
    with (
        tempfile.TemporaryDirectory() as confdir,
        pretenders("serve", limit, confdir=Path(confdir)) as p,
    ):
        preset = {"rule": "GET /items/1", "host": "soak.test", "text": PAYLOAD.decode()}
        call("POST", p.control + "/api/v1/presets", preset)
        traffic = Traffic(p.proxy_port, p.smtp_port, options.rate, options.mail_rate)
        threads = [
            threading.Thread(target=traffic.requests),
            threading.Thread(target=traffic.mails),
        ]
        for thread in threads:
            thread.start()
        samples: list[tuple[float, float, int, int]] = []
        started, end = time.monotonic(), time.monotonic() + options.minutes * 60
        try:
            while time.monotonic() < end:
                time.sleep(min(5.0, max(0.0, end - time.monotonic())))
                health = call("GET", p.control + "/api/v1/sessions/default")
                samples.append(
                    (
                        round(time.monotonic() - started, 1),
                        round(_rss_mb(p.service.pid), 1),
                        int(health.get("requests", 0)),  # type: ignore[union-attr]
                        int(health.get("mails", 0)),  # type: ignore[union-attr]
                    )
                )
        finally:
            traffic.stop.set()
            for thread in threads:
                thread.join()
    return summary(samples, traffic.counts, options)


def summary(
    samples: list[tuple[float, float, int, int]],
    counts: dict[str, int],
    options: argparse.Namespace,
) -> dict[str, object]:
    full = [s for s in samples if s[2] >= options.history_limit and s[3] >= options.history_limit]
    plateau = full[0] if full else None
    last = samples[-1]
    growth = (last[1] / plateau[1] - 1) if plateau else None
    return {
        "counts": counts,
        "journals_full_at_s": plateau[0] if plateau else None,
        "rss_mb_at_full": plateau[1] if plateau else None,
        "rss_mb_last": last[1],
        "rss_mb_max": max(s[1] for s in samples),
        "growth_after_full": None if growth is None else round(growth, 4),
        "samples": [
            {"t_s": t, "rss_mb": rss, "requests_kept": r, "mails_kept": m}
            for t, rss, r, m in samples
        ],
        "targets": {
            "journals filled": plateau is not None,
            f"RSS growth after full < {options.tolerance:.0%}": growth is not None
            and growth < options.tolerance,
            "no failed requests or mails": counts["request_errors"] == counts["mail_errors"] == 0,
        },
    }


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=100, help="proxy requests per second")
    parser.add_argument("--mail-rate", type=float, default=5, help="mails per second")
    parser.add_argument("--history-limit", type=int, default=1000)
    parser.add_argument("--tolerance", type=float, default=0.10)
    options = parser.parse_args()
    result = {
        "workload": "soak",
        "about": __doc__.strip().splitlines()[0],
        "machine": machine(),
        "settings": vars(options),
        **run(options),
    }
    path = write("soak", result)
    print({k: v for k, v in result.items() if k not in ("about", "machine", "samples")})
    print(f"-> {path}")
    sys.exit(0 if all(result["targets"].values()) else 1)  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
