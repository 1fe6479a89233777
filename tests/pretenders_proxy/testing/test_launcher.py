import subprocess
import sys
import time
from pathlib import Path

import pytest

from pretenders_proxy.testing.launcher import LaunchError, wait_until_ready

FAKE = """
import sys, time
from pathlib import Path
from pretenders_proxy.server import ready
print("pretenders 0.0 ready", flush=True)
print("  control API, UI, mocks  http://wrong.example:1/", flush=True)  # never parsed
print("Ctrl-C stops it.", flush=True)
time.sleep(0.3)
ready.write(Path(sys.argv[1]), {"pid": 0, "listeners": {"control": "http://127.0.0.1:7"}})
time.sleep(30)
"""


def fake_server(tmp_path: Path, script: str) -> tuple[subprocess.Popen[bytes], Path, Path]:
    ready_file, log = tmp_path / "ready.json", tmp_path / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-c", script, str(ready_file)], stdout=sink, stderr=subprocess.STDOUT
        )
    return process, ready_file, log


def test_where_it_listens_comes_from_the_ready_file_not_the_banner(tmp_path: Path) -> None:
    process, ready_file, log = fake_server(tmp_path, FAKE)
    try:
        listeners = wait_until_ready(process, ready_file, log, time.monotonic() + 30)
        assert listeners == {"control": "http://127.0.0.1:7"}
        assert "wrong.example" in log.read_text()  # the banner was there first, and ignored
    finally:
        process.kill()
        process.wait()


def test_a_process_that_exits_before_it_is_ready_is_reported_with_what_it_printed(
    tmp_path: Path,
) -> None:
    script = "print('pretenders: port 1 is already in use'); raise SystemExit(2)"
    process, ready_file, log = fake_server(tmp_path, script)
    with pytest.raises(LaunchError, match="port 1 is already in use"):
        wait_until_ready(process, ready_file, log, time.monotonic() + 30)
    assert process.returncode == 2
