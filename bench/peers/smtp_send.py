"""The W3 load: N messages of SIZE bytes over CONNECTIONS smtplib connections in threads.

python smtp_send.py HOST PORT N CONNECTIONS SIZE
    ->  {"seconds": ..., "sent": ..., "p50_ms": ..., "p99_ms": ...} (each sendmail's latency)
"""

import json
import smtplib
import sys
import threading
import time
from email.message import EmailMessage
from email.policy import SMTP


def message(n: int, size: int) -> bytes:
    mail = EmailMessage()
    mail["Subject"], mail["From"], mail["To"] = f"load {n}", "load@bench.test", "sink@bench.test"
    mail.set_content(("x" * 76 + "\n") * (size // 77))
    return mail.as_bytes(policy=SMTP)


def main(host: str, port: int, total: int, connections: int, size: int) -> None:
    sent = [0] * connections
    latencies: list[float] = []

    def sender(slot: int) -> None:
        share = total // connections + (slot < total % connections)
        with smtplib.SMTP(host, port, timeout=60) as smtp:
            for n in range(share):
                content = message(n, size)
                began = time.perf_counter()
                smtp.sendmail("load@bench.test", ["sink@bench.test"], content)
                latencies.append(time.perf_counter() - began)  # list.append: thread-safe
                sent[slot] += 1

    threads = [threading.Thread(target=sender, args=(slot,)) for slot in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    latencies.sort()
    p50, p99 = (
        latencies[int(len(latencies) * q)] * 1000 if latencies else 0.0 for q in (0.5, 0.99)
    )
    print(json.dumps({"seconds": seconds, "sent": sum(sent), "p50_ms": p50, "p99_ms": p99}))


main(sys.argv[1], int(sys.argv[2]), *(int(a) for a in sys.argv[3:6]))
