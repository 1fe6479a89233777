"""What W7, W7r and W8 share: the streaming upstream peer and the Python client run on the load
core (bench/peers/stream_upstream.py, stream_client.py)."""

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from harness import LOAD_CORE, PYTHON, free_port, pinned
from systems import BENCH, script


@contextmanager
def stream_upstream() -> Iterator[str]:
    """SSE at /sse, a WebSocket echo at /ws, on the load core."""
    port = free_port()
    with script("stream_upstream", port, core=LOAD_CORE):
        yield f"http://127.0.0.1:{port}"


def client(*args: str) -> dict[str, object]:
    """One run of the stream client on the load core: what it measured."""
    command = [PYTHON, str(BENCH / "peers" / "stream_client.py"), *args]
    out = subprocess.run(
        pinned(LOAD_CORE, command), capture_output=True, text=True, check=True, timeout=600
    ).stdout
    found: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return found
