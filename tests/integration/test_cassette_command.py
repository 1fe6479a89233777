"""`pretenders cassette ...` run as a real process: rich draws its progress on a terminal only."""

import contextlib
import os
import pty
import subprocess
import sys
from pathlib import Path

from pretenders_proxy.cassette import writing
from tests.pretenders_proxy.samples import exchanges


def test_progress_shows_on_a_terminal_only(tmp_path: Path) -> None:
    """rich draws the progress on stderr when it is a terminal; piped output stays clean."""
    cassette = tmp_path / "api.cassette"
    writing.write(cassette, exchanges())
    command = [sys.executable, "-m", "pretenders_proxy", "cassette", "stats", str(cassette)]
    main, other = pty.openpty()
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=other, timeout=60)
        os.close(other)
        other = -1
        drawn = b""
        with contextlib.suppress(OSError):
            while chunk := os.read(main, 65536):
                drawn += chunk
    finally:
        os.close(main)
        if other != -1:
            os.close(other)
    assert done.returncode == 0
    assert b"reading" in drawn
    assert b"reading" not in done.stdout and done.stdout.startswith(b"exchanges: 3")
    piped = subprocess.run(command, capture_output=True, timeout=60)
    assert piped.stderr == b""
