"""Profiles of the proxied paths (issue 20): py-spy on one pretenders pinned to the server core.

`python bench/w2_profile.py record {replay,record,preset} OUT.raw [--seconds 10]`: W2's replay,
W2r's recording or W1x's proxied preset under `wrk -t1 -c32` on the load core (3 s warm-up
first), sampled by `py-spy record -r 250 -f raw` (blocking: whole stacks) for `--seconds`.
`python bench/w2_profile.py shares FILE...`: each profile's samples split between our addons
(each hook method with what it calls), mitmproxy's parts, socket I/O and the loop.
"""

import argparse
import collections
import re
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

from harness import Load
from systems import call, pretenders, upstream
from w1x_baselines import PROXIED
from w2_replay import fetch_through, proxied_load

PARTS = [  # mitmproxy's samples go to the first part (from the innermost frame out) they match
    (
        "HTTP/1 head parsing",
        r"read_request_head|maybe_extract_lines|_read_request_line|"
        r"_read_headers|parse_authority|is_valid_host|expected_http_body_size|ReceiveBuffer",
    ),
    ("response assembly and send", r"Http1Server.send|assemble_response|HttpStream.send_response"),
    (
        "flow and connection objects",
        r"Flow.__init__|uuid4|Context.fork|Context.__init__|"
        r"Request.__init__|Response.__init__|Headers.__init__|make_stream",
    ),
    (
        "hook dispatch (a task per hook)",
        r"hook_task|handle_hook|create_task|Lock.acquire|"
        r"wait_for_resume|handle_lifecycle|trigger_event",
    ),
    (
        "layer state machines",
        r"Layer.handle_event|event_to_child|HttpStream._handle_event|"
        r"Layer.__process|Layer.__continue|state_",
    ),
    ("connection handler", r"server_event|handle_connection|drain_writers"),
]


def record(kind: str, out: Path, seconds: float) -> Load:
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        cassette = folder / "w2.cassette"
        target = "http://api.example.test/items/42"
        if kind != "preset":
            target = f"{stack.enter_context(upstream())}/items/1"
        if kind == "replay":
            with pretenders("record", [str(cassette)], confdir=folder) as p:
                fetch_through(p.proxy_port, target)
        args = [] if kind == "preset" else [str(cassette)]
        command = {"replay": "replay", "record": "record", "preset": "serve"}[kind]
        p = stack.enter_context(pretenders(command, args, confdir=folder))
        if kind == "preset":
            call("POST", p.control + "/api/v1/presets", PROXIED)
        load = proxied_load(stack, target, 32)(p.proxy_port)
        load(3)
        found: list[Load] = []
        during = threading.Thread(target=lambda: found.append(load(seconds + 4)))
        during.start()
        time.sleep(1)
        spy = str(Path(sys.executable).with_name("py-spy"))
        line = [spy, "record", "-r", "250", "-d", f"{seconds:g}", "-f", "raw", "-o", str(out)]
        subprocess.run([*line, "-p", str(p.service.pid)], check=True)
        during.join()
        return found[0]


def shares(path: Path) -> tuple[int, collections.Counter[str], collections.Counter[str]]:
    """Samples in all, by part, and by our addons' hook methods."""
    parts: collections.Counter[str] = collections.Counter()
    addons: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, count = line.rsplit(" ", 1)
        frames, n = stack.split(";"), int(count)
        total += n
        if "_SelectorSocketTransport.write" in frames[-1] or "select" in frames[-1]:
            parts["socket I/O and epoll"] += n
            continue
        entered = [i for i, f in enumerate(frames) if "HookCache.trigger_event" in f]
        if (
            entered
            and entered[-1] + 1 < len(frames)
            and "pretenders_proxy/" in frames[entered[-1] + 1]
        ):
            parts["our addons"] += n
            addons[frames[entered[-1] + 1].split(" ")[0]] += n
            continue
        parts[_part(frames)] += n
    return total, parts, addons


def _part(frames: list[str]) -> str:
    for frame in reversed(frames):
        for name, pattern in PARTS:
            if re.search(pattern, frame):
                return "mitmproxy: " + name
    return "the loop and the rest"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    take = sub.add_parser("record")
    take.add_argument("kind", choices=["replay", "record", "preset"])
    take.add_argument("out", type=Path)
    take.add_argument("--seconds", type=float, default=10)
    split = sub.add_parser("shares")
    split.add_argument("files", type=Path, nargs="+")
    options = parser.parse_args()
    if options.what == "record":
        print(record(options.kind, options.out, options.seconds))
        return
    for path in options.files:
        total, parts, addons = shares(path)
        print(f"{path.name}: {total} samples")
        for name, n in [*parts.most_common(), *(("  " + k, v) for k, v in addons.most_common(8))]:
            print(f"  {100 * n / total:5.1f}% {name}")


if __name__ == "__main__":
    main()
