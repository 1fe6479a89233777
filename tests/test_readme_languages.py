"""The README's "Use it from any language" examples, run as written by bash with the real
runtimes (node, java, go, curl, wget), `pretenders` being this checkout's; no skips."""

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from pretenders_proxy.environment.variables import Files, variables
from pretenders_proxy.testing.launcher import launch
from tests.integration.redis_server import free_port

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text()
SECTION = README.split("\n## Use it from any language\n", 1)[1].split("\n## ", 1)[0]
MARKER = re.compile(r"<!-- README example: (\S+) -->\n```\w*\n(.*?)```", re.S)
BLOCKS = dict(MARKER.findall(SECTION))
SOURCES = ("presets.py", "Hello.java", "hello.go")
"""Blocks that are files: written into the working folder, where the commands find them."""
SHOWN_SESSION = re.compile(r"session [0-9a-f-]{36} \(http://127\.0\.0\.1:\d+\)")
REPLAY = "exec pretenders replay --smtp-port"
"""The compose service's replay, on a free SMTP port (in a container, the default 1025)."""
TIMEOUT = 180  # a cold `go run` or `java Hello.java` on a busy machine


def shown(name: str) -> list[tuple[str, list[str]]]:
    """A console block's commands, each with the lines shown after it (its output)."""
    played: list[tuple[str, list[str]]] = []
    for line in BLOCKS[name].splitlines():
        if line.startswith("$ "):
            played.append((line.removeprefix("$ "), []))
        else:
            played[-1][1].append(line)
    return played


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A HOME of our own (its ~/.pretenders is the default confdir the README's commands use),
    and bin/ with `pretenders` and `python` being this interpreter's."""
    home = tmp_path_factory.mktemp("home")
    (home / "bin").mkdir()
    for name, command in (
        ("pretenders", f"{shlex.quote(sys.executable)} -m pretenders_proxy"),
        ("python", shlex.quote(sys.executable)),
        ("python3", shlex.quote(sys.executable)),
    ):
        shim = home / "bin" / name
        shim.write_text(f'#!/bin/sh\nexec {command} "$@"\n')
        shim.chmod(0o755)
    return home


@pytest.fixture
def shell_env(home: Path) -> dict[str, str]:
    """The environment of a new terminal: no proxy variables, Go's caches in HOME."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    for name in ("PRETENDERS_URL", "PRETENDERS_SESSION", "PRETENDERS_TOKEN"):
        env.pop(name, None)
    for name in ("NODE_OPTIONS", "JAVA_TOOL_OPTIONS"):  # a run adds to these: start empty
        env.pop(name, None)
    return env | {
        "HOME": str(home),
        "PATH": f"{home / 'bin'}:{env['PATH']}",
        "GOCACHE": str(home / "go-cache"),
        "GOPATH": str(home / "go"),
        "GOTOOLCHAIN": "local",
        "GOPROXY": "off",  # nothing to fetch: hello.go uses only the standard library
    }


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A project folder: cassettes/example.cassette and the README's source files."""
    (tmp_path / "cassettes").mkdir()
    example = (ROOT / "cassettes" / "example.cassette").read_bytes()
    (tmp_path / "cassettes" / "example.cassette").write_bytes(example)
    for name in SOURCES:
        (tmp_path / name).write_text(BLOCKS[name])
    return tmp_path


class Terminal:
    """Plays a console block in bash: each command's stdout must be the lines shown after it."""

    def __init__(self, cwd: Path, env: dict[str, str], ports: dict[int, int]) -> None:
        self.cwd, self.env, self.ports = cwd, env, ports
        self.background: list[subprocess.Popen[bytes]] = []

    def ours(self, command: str) -> str:
        """The command with the README's fixed ports replaced by free ones."""
        for fixed, free in self.ports.items():
            command = re.sub(rf"\b{fixed}\b", str(free), command)
        return command

    def play(self, name: str) -> None:
        for command, lines in shown(name):
            if command.split("#")[0].strip() == "kill %1":
                self.stop()
            elif command.split("  #")[0].rstrip().endswith("&"):
                self.start(self.ours(command.split("  #")[0].rstrip().removesuffix("&")))
            else:
                self.check(self.ours(command), lines)

    def check(self, command: str, lines: list[str]) -> None:
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=self.cwd, env=self.env, capture_output=True, text=True, timeout=TIMEOUT,
        )  # fmt: skip
        seen = done.stdout.rstrip("\n").splitlines()  # a blank last line is not shown
        if lines and lines[0].startswith("pretenders run: session"):
            said = [line for line in done.stderr.splitlines() if line.startswith(lines[0][:23])]
            seen = [SHOWN_SESSION.sub("session S", line) for line in said] + seen
            lines = [SHOWN_SESSION.sub("session S", lines[0]), *lines[1:]]
        assert seen == lines, (command, done.stderr)

    def start(self, command: str) -> None:
        """A command run in the background; it serves on the one port it names."""
        [port] = [free for free in self.ports.values() if str(free) in command]
        self.background.append(
            subprocess.Popen(
                ["bash", "-c", command], cwd=self.cwd, env=self.env, start_new_session=True
            )
        )
        wait_for_port(port, self.background[-1])

    def stop(self) -> None:
        job = self.background.pop(0)
        os.killpg(job.pid, signal.SIGTERM)
        job.wait(timeout=30)

    def close(self) -> None:
        while self.background:
            self.stop()


def wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port} (exit status {process.poll()})")


@pytest.fixture
def terminal(workdir: Path, shell_env: dict[str, str]) -> Iterator[Terminal]:
    opened = Terminal(workdir, shell_env, {9000: free_port()})
    yield opened
    opened.close()


@pytest.mark.parametrize(
    "name",
    ["run-node-fetch", "run-node-https", "run-java", "run-go", "run-curl-wget", "run-status"],
)
def test_a_run_prints_what_the_readme_shows(name: str, terminal: Terminal) -> None:
    """Node's fetch (the issue's "done when") and https, Java's HttpClient, Go's net/http,
    curl and wget get the recorded answer offline; CMD's exit status and signal are ours."""
    terminal.play(name)


def test_record_then_replay_with_the_api_gone(terminal: Terminal) -> None:
    terminal.play("run-record")
    assert (terminal.cwd / "hello.cassette").stat().st_size > 0


def test_a_running_server_its_named_session_and_the_variables_given_to_cmd(
    terminal: Terminal, home: Path
) -> None:
    with launch([], confdir=home / ".pretenders") as server:
        terminal.ports[8000] = server.port
        terminal.play("run-url")


def test_the_table_names_every_variable_a_run_sets(tmp_path: Path) -> None:
    table = SECTION.split("<!-- README table: variables -->\n", 1)[1].split("\n\n", 1)[0]
    named = {
        name
        for row in table.splitlines()[2:]
        for name in re.findall(r"`([A-Z0-9_]+)`", row.split(" | ")[0])
    }
    files = Files(*(tmp_path / name for name in ("bundle", "store", "preload", "rc")))
    made = {name.upper() for name, _ in variables("http://127.0.0.1:1", [], files)}
    assert named == made | {"PRETENDERS_URL", "PRETENDERS_SESSION"}


def test_every_example_of_the_section_is_played_here() -> None:
    played = {"run-node-fetch", "run-node-https", "run-java", "run-go", "run-curl-wget"}
    played |= {"run-status", "run-record", "run-url", "compose.yaml", "compose-run"}
    assert set(BLOCKS) == played | set(SOURCES)
    assert SECTION.count("<!-- README example: ") == len(BLOCKS)  # none missed by MARKER


def compose() -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load(BLOCKS["compose.yaml"])
    return found


def test_the_compose_file_shares_the_variables_through_a_volume() -> None:
    services = compose()["services"]
    assert set(services) == {"pretenders", "app"} and set(compose()["volumes"]) == {"pretenders"}
    server, app = services["pretenders"], services["app"]
    assert (server["image"], app["image"]) == ("python:3.12-slim", "node:20")
    assert "pretenders:/pretenders" in server["volumes"]
    assert "pretenders:/pretenders:ro" in app["volumes"]  # at the same path: app.env names it
    assert app["depends_on"] == {"pretenders": {"condition": "service_healthy"}}
    assert server["healthcheck"]["test"][0] == "CMD"
    script = server["command"][2]
    assert server["command"][:2] == app["command"][:2] == ["sh", "-c"]
    assert "pretenders env --host pretenders " in script and "> /pretenders/app.env" in script
    assert script.index("pretenders env") < script.index("exec pretenders replay")
    assert app["command"][2].startswith(". /pretenders/app.env &&")


def test_each_compose_service_command_run_on_this_machine(
    tmp_path: Path, shell_env: dict[str, str]
) -> None:
    """In a container's place: volumes are folders, the service name is 127.0.0.1, the fixed
    ports (8000, 8080 and SMTP's default 1025) free ones, pretenders the checkout's (no pip)."""
    services = compose()["services"]
    folders = {"pretenders": tmp_path / "volume", "./cassettes": ROOT / "cassettes"}
    folders["pretenders"].mkdir()
    mounts = {}
    for service in services.values():
        for volume in service["volumes"]:
            source, inside = volume.split(":")[:2]
            mounts[inside] = folders[source]
    ports = {8000: free_port(), 8080: free_port()}

    def ours(command: str) -> str:
        for fixed, free in ports.items():
            command = re.sub(rf"\b{fixed}\b", str(free), command)
        for inside, folder in mounts.items():
            command = re.sub(rf"(?<![\w.]){inside}\b", str(folder), command)
        command = command.replace("--host pretenders ", "--host 127.0.0.1 ")
        command = re.sub(r"pip install [^&]*&&\s*", "", command)
        return command.replace("exec pretenders replay ", f"{REPLAY} {free_port()} ")

    server = subprocess.Popen(
        ["sh", "-c", ours(services["pretenders"]["command"][2])],
        env=shell_env, start_new_session=True,
    )  # fmt: skip
    try:
        check = [ours(part) for part in services["pretenders"]["healthcheck"]["test"]]
        healthy(server, check, shell_env)
        app = subprocess.run(
            ["sh", "-c", ours(services["app"]["command"][2])],
            env=shell_env, capture_output=True, text=True, timeout=TIMEOUT,
        )  # fmt: skip
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    [(_, printed)] = shown("compose-run")
    assert app.stdout.rstrip("\n").splitlines() == printed, app.stderr
    assert "HTTPS_PROXY=" in (folders["pretenders"] / "app.env").read_text()


def healthy(server: subprocess.Popen[bytes], check: list[str], env: dict[str, str]) -> None:
    """Run the health check as Docker would, until it passes."""
    assert check[0] == "CMD"
    for _ in range(300):
        assert server.poll() is None, "the pretenders service ended"
        if subprocess.run(check[1:], env=env, capture_output=True, timeout=30).returncode == 0:
            return
        time.sleep(0.2)
    raise AssertionError("the pretenders service never became healthy")
