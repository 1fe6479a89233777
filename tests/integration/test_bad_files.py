"""Issue 15, bad files: cassette tools and replay answer hostile files (a YAML alias bomb, JSON
nested 200,000 deep, msgpack nested too deep, a FIFO or a device named as a cassette) with one
line naming the file and the problem and exit status 2, at once. Real processes, each bounded
in time (and, for the bomb, in memory) so that a hang or a blow-up fails instead of stalling."""

import os
import resource
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import msgpack
import pytest

from pretenders_proxy.cassette import writing
from pretenders_proxy.cassette.codec import header
from tests.integration.conftest import run_pretenders
from tests.pretenders_proxy.samples import exchanges

BOUND = 30
"""Seconds any of these commands may take: each answers in well under one."""


def pretenders(*args: str, memory: int = 0) -> "subprocess.CompletedProcess[str]":
    """`pretenders ARGS`, killed after BOUND seconds (a hang fails the test, TimeoutExpired)."""

    def limit() -> None:
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    command = [sys.executable, "-m", "pretenders_proxy", *args]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=BOUND, preexec_fn=limit, check=False
    )


def refused(done: "subprocess.CompletedProcess[str]", *problem: str) -> None:
    """The one-line error the README promises: exit status 2, no traceback."""
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.startswith("pretenders: ") and len(done.stderr.splitlines()) == 1
    for part in problem:
        assert part in done.stderr


def alias_bomb() -> str:
    """Billion laughs as a VCR.py cassette: nine levels of nine aliases, 9**9 strings in all."""
    lines = ["interactions:", "- request:", "    headers:"]
    lines.append("      a: &a [" + ",".join(["lol"] * 9) + "]")
    for level, name in enumerate("bcdefghi"):
        previous = "abcdefghi"[level]
        lines.append(f"      {name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    lines += [
        "    method: GET",
        "    uri: http://x.test/",
        "  response:",
        "    status: {code: 200}",
    ]
    return "\n".join(lines) + "\nversion: 1\n"


def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    # issue 15: 81 s and 3.6 GB before; here bounded to 1 GiB of address space and BOUND s
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(alias_bomb())
    done = pretenders(
        "cassette", "import", str(bomb), str(tmp_path / "out.cassette"), memory=1 << 30
    )
    refused(done, str(bomb), "YAML aliases")
    assert not (tmp_path / "out.cassette").exists()


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("[[a, b]]", "interactions[0].request.headers['X-A'] is a list, not text"),
        ("{nested: map}", "interactions[0].request.headers['X-A'] is a dict, not text"),
        ("[1]", "interactions[0].request.headers['X-A'] is an int, not text"),
    ],
)
def test_header_values_that_are_not_text_are_refused(
    tmp_path: Path, value: str, problem: str
) -> None:
    cassette = tmp_path / "vcr.yaml"
    cassette.write_text(
        "interactions:\n- request:\n    headers:\n"
        f"      X-A: {value}\n    method: GET\n    uri: http://x.test/\n"
        "  response:\n    status: {code: 200}\nversion: 1\n"
    )
    refused(pretenders("cassette", "import", str(cassette), str(tmp_path / "o.cassette")), problem)


@pytest.mark.parametrize("kind", [None, "json", "har", "hoverfly", "wiremock"])
def test_json_nested_200000_deep_is_one_line(tmp_path: Path, kind: str | None) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000)
    options = ["--format", kind, "--base-url", "http://x.test"] if kind else []
    done = pretenders("cassette", "import", str(deep), str(tmp_path / "o.cassette"), *options)
    refused(done, str(deep), "nested too deeply")


def test_a_msgpack_nesting_error_says_why(tmp_path: Path) -> None:
    cassette = tmp_path / "deep.cassette"
    head = msgpack.packb(header(datetime.now(UTC)), use_bin_type=True)
    cassette.write_bytes(head + b"\x91" * 5000 + b"\xc0")  # arrays of arrays, 5,000 deep
    done = pretenders("cassette", "show", str(cassette))
    refused(done, f"{cassette} is damaged (byte {len(head)}: not msgpack: nested too deeply")


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "named.cassette"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["cassette", "show", "{fifo}"],
        ["cassette", "stats", "{fifo}"],
        ["cassette", "repair", "{fifo}"],
        ["cassette", "import", "{fifo}", "{tmp}/o.cassette", "--format", "json"],
        ["cassette", "import", "{fifo}", "{tmp}/o.cassette", "--format", "vcr"],
        ["cassette", "convert", "{fifo}", "{tmp}/o.har", "--from", "mitm"],
    ],
)
def test_a_fifo_named_as_a_file_is_refused(fifo: Path, tmp_path: Path, args: list[str]) -> None:
    done = pretenders(*(a.format(fifo=fifo, tmp=tmp_path) for a in args))
    refused(done, str(fifo), "is a FIFO, not a regular file")


@pytest.mark.parametrize("command", ["replay", "record"])
def test_replay_and_record_refuse_a_fifo(fifo: Path, command: str) -> None:
    done = run_pretenders(command, str(fifo), timeout=BOUND)
    assert done.returncode == 2, done.stderr[-2000:]
    assert f"{fifo} is a FIFO, not a regular file" in done.stderr


def test_a_device_named_as_a_cassette_is_refused() -> None:
    # /dev/zero reads as endless msgpack zeros: before, `show` never ended
    refused(pretenders("cassette", "show", "/dev/zero", "--format", "cassette"), "a device")


def test_a_directory_named_as_a_cassette_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "folder.cassette"
    folder.mkdir()
    refused(pretenders("cassette", "show", str(folder)), str(folder), "a directory")


def test_regular_files_still_work(tmp_path: Path) -> None:
    cassette = tmp_path / "api.cassette"
    writing.write(cassette, exchanges())
    shown = pretenders("cassette", "show", str(cassette))
    assert shown.returncode == 0 and len(shown.stdout.splitlines()) == 3
