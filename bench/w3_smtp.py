"""W3: SMTP ingest, 2,000 messages of 2 KB over 8 connections, every one verified by the API.

Compared in the same run with a bare aiosmtpd sink (a handler that appends to a list), the
two started together and measured in turns (pretenders, sink, pretenders, ...).
Target (issue 20): >= 90% of the sink's messages per second, none lost.
"""

import json
import statistics
import subprocess
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from harness import LOAD_CORE, PYTHON, free_port, pinned, ratio
from systems import BENCH, call, pretenders, script

TOTAL, CONNECTIONS, SIZE = 2_000, 8, 2_048


def send(port: int, total: int = TOTAL) -> float:
    """Messages per second for one batch (the sender runs on the load core)."""
    return send_timed(port, total)["messages_per_s"]


def send_timed(port: int, total: int = TOTAL) -> dict[str, float]:
    """Messages per second for one batch, and the median and p99 of one sendmail's time."""
    command = [
        PYTHON,
        str(BENCH / "peers" / "smtp_send.py"),
        "127.0.0.1",
        str(port),
        str(total),
        str(CONNECTIONS),
        str(SIZE),
    ]
    done = json.loads(
        subprocess.run(
            pinned(LOAD_CORE, command), capture_output=True, text=True, check=True
        ).stdout
    )
    if done["sent"] != total:
        raise RuntimeError(f"sent {done['sent']} of {total}")
    return {
        "messages_per_s": round(done["sent"] / done["seconds"], 1),
        "p50_ms": round(done["p50_ms"], 2),
        "p99_ms": round(done["p99_ms"], 2),
    }


def mail_count(control: str, session: str = "default") -> int:
    """How much mail `session` holds, every page of the v1 list walked (1,000 a page)."""
    count, cursor = 0, ""
    while True:
        query = urllib.parse.urlencode({"session": session, "limit": 1000, "cursor": cursor})
        with urllib.request.urlopen(f"{control}/api/v1/mail?{query}", timeout=600) as answer:
            count += len(json.loads(answer.read()))
            cursor = answer.headers.get("X-Next-Cursor", "")
        if not cursor:
            return count


def run(options: Any) -> dict[str, Any]:
    port = free_port()
    with (
        tempfile.TemporaryDirectory() as confdir,
        pretenders("serve", confdir=Path(confdir)) as p,
        script("smtp_sink", port),
    ):

        def captured(clear: bool = False) -> int:
            if clear:
                call("DELETE", p.control + "/api/v1/mail?session=default")
                return 0
            return mail_count(p.control)

        ports = {"pretenders": p.smtp_port, "bare aiosmtpd sink": port}
        for warm in ports.values():
            send(warm, TOTAL // 4)
        rates: dict[str, list[float]] = {name: [] for name in ports}
        lost = 0
        for _ in range(options.runs):
            captured(clear=True)
            for name, where in ports.items():
                rates[name].append(send(where))
            lost += TOTAL - captured()
    systems = {
        name: {"messages_per_s": round(statistics.median(found), 1), "runs": found}
        for name, found in rates.items()
    }
    systems["pretenders"]["lost"] = lost
    share = ratio(
        systems["pretenders"]["messages_per_s"], systems["bare aiosmtpd sink"]["messages_per_s"]
    )
    return {
        "systems": systems,
        "ratios": {"pretenders / bare aiosmtpd sink": share},
        "targets": {">= 90% of the sink": share >= 0.9, "none lost": lost == 0},
    }
