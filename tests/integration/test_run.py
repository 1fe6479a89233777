"""`pretenders run -- CMD`: CMD's traffic goes through a session of its own and trusts the
pretenders CA, whatever CMD is written in — the real curl, wget, Python clients, Node 20 and
Java 17 on this machine, each over HTTPS, from a preset and from the example cassette."""

import functools
import http.server
import json
import os
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.integration.tlsca import LocalCA
from tests.integration.upstream import Upstream

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "cassettes" / "example.cassette"
FETCH_JAVA = Path(__file__).parent / "apps" / "Fetch.java"
PY = sys.executable
AIOHTTP = """
import asyncio, sys, aiohttp
async def main():
    async with aiohttp.ClientSession(trust_env=True) as session:  # aiohttp's way to the proxy
        async with session.get(sys.argv[1]) as answer:
            print(await answer.text())
asyncio.run(main())
"""
NODE_HTTPS = """
require('https').get(process.argv[1], (answer) => {
  let body = '';
  answer.on('data', (chunk) => { body += chunk; });
  answer.on('end', () => console.log(body));
}).on('error', (e) => { console.error(e); process.exit(1); });
"""
CLIENTS: dict[str, Callable[[str], list[str]]] = {
    "curl": lambda url: ["curl", "-sS", "--fail", url],
    "wget": lambda url: ["wget", "-q", "-O", "-", url],
    "urllib": lambda url: [
        PY,
        "-c",
        "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())",
        url,
    ],
    "requests": lambda url: [
        PY,
        "-c",
        "import sys, requests; print(requests.get(sys.argv[1]).text)",
        url,
    ],
    "httpx": lambda url: [PY, "-c", "import sys, httpx; print(httpx.get(sys.argv[1]).text)", url],
    "aiohttp": lambda url: [PY, "-c", AIOHTTP, url],
    "node-fetch": lambda url: [
        "node",
        "-e",
        "fetch(process.argv[1]).then(r => r.text()).then(console.log)",
        url,
    ],
    "node-https": lambda url: ["node", "-e", NODE_HTTPS, url],
    "java-httpclient": lambda url: ["java", str(FETCH_JAVA), "httpclient", url],
    "java-urlconnection": lambda url: ["java", str(FETCH_JAVA), "urlconnection", url],
}


def pretenders_run(
    *args: str, confdir: Path, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [PY, "-m", "pretenders_proxy", "run", "--confdir", str(confdir), *args]
    clean = {k: v for k, v in (env or os.environ).items() if not k.lower().endswith("_proxy")}
    clean.pop("PRETENDERS_URL", None)
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=clean)


def add_preset(
    control: str, session: str, text: str, path: str = "/hello", host: str = "api.example.test"
) -> None:
    answer = requests.post(
        f"{control}/api/v1/presets",
        params={"session": session},
        json={"rule": {"rule": f"GET {path}", "host": host}, "text": text},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text


def history(control: str, session: str) -> list[tuple[str, str]]:
    found = requests.get(f"{control}/api/v1/requests", params={"session": session}, timeout=10)
    return [(item["url"], item["source"]) for item in found.json()]


@pytest.mark.parametrize("client", CLIENTS)
def test_each_client_gets_a_preset_over_https(
    client: str, pretenders_server: RunningServer, confdir: Path, session_name: str
) -> None:
    control = pretenders_server.control
    requests.post(f"{control}/api/v1/sessions", json={"name": session_name}, timeout=10)
    add_preset(control, session_name, f"preset for {client}")
    url = "https://api.example.test/hello"
    done = pretenders_run(
        "--url", control, "--session", session_name, "--", *CLIENTS[client](url), confdir=confdir
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"preset for {client}"
    assert history(control, session_name) == [(url, "preset")]
    requests.delete(f"{control}/api/v1/sessions/{session_name}", timeout=10)


@pytest.mark.parametrize("client", CLIENTS)
def test_each_client_gets_the_recorded_answer_from_replay_offline(
    client: str, confdir: Path
) -> None:
    """The issue's "done when": a server started for the run replays the example cassette."""
    url = "https://api.example.test/hello"
    done = pretenders_run("--replay", str(EXAMPLE), "--", *CLIENTS[client](url), confdir=confdir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Hello from api.example.test!"
    assert "matched nothing" not in done.stderr


def test_git_lists_a_repository_over_https_from_presets(
    pretenders_server: RunningServer, confdir: Path, session_name: str
) -> None:
    """git (libcurl) through the proxy, trusting the CA by GIT_SSL_CAINFO: a dumb-HTTP server's
    info/refs and HEAD, from presets."""
    control = pretenders_server.control
    sha = "0123456789abcdef0123456789abcdef01234567"
    requests.post(f"{control}/api/v1/sessions", json={"name": session_name}, timeout=10)
    for path, text in (
        ("/repo.git/info/refs", f"{sha}\trefs/heads/main\n"),
        ("/repo.git/HEAD", "ref: refs/heads/main\n"),
    ):
        add_preset(control, session_name, text, path, host="git.example.test")
    done = pretenders_run(
        "--url",
        control,
        "--session",
        session_name,
        "--",
        "git",
        "ls-remote",
        "https://git.example.test/repo.git",
        confdir=confdir,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"{sha}\tHEAD", f"{sha}\trefs/heads/main"]
    requests.delete(f"{control}/api/v1/sessions/{session_name}", timeout=10)


def test_record_then_replay_with_the_upstream_gone(
    upstream: Upstream, confdir: Path, tmp_path: Path
) -> None:
    cassette = tmp_path / "run.cassette"
    url = upstream.url + "/hello"
    recorded = pretenders_run("--record", str(cassette), "--", "curl", "-sS", url, confdir=confdir)
    assert recorded.returncode == 0, recorded.stderr
    upstream.stop()
    replayed = pretenders_run("--replay", str(cassette), "--", "curl", "-sS", url, confdir=confdir)
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout == recorded.stdout != ""


def test_a_request_the_cassette_lacks_is_a_miss_said_after_the_run(confdir: Path) -> None:
    url = "https://api.example.test/not-recorded"
    done = pretenders_run("--replay", str(EXAMPLE), "--", "curl", "-sS", url, confdir=confdir)
    assert done.returncode == 0  # curl without --fail: a 404 is an answer
    assert "1 request(s) matched nothing: GET https://api.example.test/not-recorded" in done.stderr


def test_parallel_runs_each_get_a_fresh_session_printed_and_deleted_after(
    server: RunningServer, confdir: Path
) -> None:
    """Two runs at once on one server: each CMD sets its own preset through PRETENDERS_URL and
    PRETENDERS_SESSION and gets only its own answer."""
    script = (
        "import os, requests\n"
        "from pretenders_proxy import Pretenders\n"
        "with Pretenders(os.environ['PRETENDERS_URL'], session=os.environ['PRETENDERS_SESSION'])"
        " as me:\n"
        "    me.when('GET /who', host='api.example.test').reply(os.environ['WHO'])\n"
        "print(requests.get('https://api.example.test/who').text)\n"
    )
    command = [PY, "-m", "pretenders_proxy", "run", "--url", server.control, "--confdir"]
    runs = {
        who: subprocess.Popen(
            [*command, str(confdir), "--", PY, "-c", script],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
            | {"WHO": who},
        )
        for who in ("alice", "bob")
    }
    sessions = []
    for who, run in runs.items():
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
        assert out.strip() == who
        sessions.append(err.split("pretenders run: session ", 1)[1].split()[0])
    assert len(set(sessions)) == 2
    listed = requests.get(f"{server.control}/api/v1/sessions", timeout=10).json()
    assert not {s["name"] for s in listed} & set(sessions)  # fresh ones go with the run


def test_a_named_session_stays_with_its_history(
    server: RunningServer, confdir: Path, session_name: str
) -> None:
    url = "https://api.example.test/hello"
    done = pretenders_run(
        "--url", server.control, "--session", session_name, "--", "curl", "-s", url, confdir=confdir
    )
    assert done.returncode == 0, done.stderr
    assert history(server.control, session_name) == [(url, "miss")]
    requests.delete(f"{server.control}/api/v1/sessions/{session_name}", timeout=10)


@pytest.mark.parametrize(
    ("command", "status", "said"),
    [
        (["sh", "-c", "exit 7"], 7, ""),
        (["sh", "-c", "kill -TERM $$"], 128 + signal.SIGTERM, ""),
        (["no-such-command-here"], 127, "no-such-command-here: command not found"),
    ],
)
def test_cmds_exit_status_is_ours(
    pretenders_server: RunningServer, confdir: Path, command: list[str], status: int, said: str
) -> None:
    done = pretenders_run("--url", pretenders_server.control, "--", *command, confdir=confdir)
    assert done.returncode == status
    assert said in done.stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_signals_sent_to_pretenders_reach_cmd(
    sig: signal.Signals, pretenders_server: RunningServer, confdir: Path, tmp_path: Path
) -> None:
    ready = tmp_path / "ready"
    script = (
        "import signal, sys, pathlib, time\n"
        "signal.signal(int(sys.argv[1]), lambda *_: sys.exit(42))\n"
        "pathlib.Path(sys.argv[2]).touch()\n"
        "time.sleep(60)\n"
    )
    command = [PY, "-m", "pretenders_proxy", "run", "--url", pretenders_server.control]
    command += ["--confdir", str(confdir), "--", PY, "-c", script, str(int(sig)), str(ready)]
    run = subprocess.Popen(command, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not ready.exists() and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ready.exists(), run.stderr.read() if run.stderr else ""
    run.send_signal(sig)
    assert run.wait(timeout=30) == 42  # CMD's handler ran and its status is ours
    if run.stderr:
        run.stderr.close()


def test_env_prints_what_run_gives_cmd(
    pretenders_server: RunningServer, confdir: Path, session_name: str
) -> None:
    """One definition: `pretenders env --session` and the environment CMD sees agree."""
    control = pretenders_server.control
    printed = subprocess.run(
        [
            *(PY, "-m", "pretenders_proxy", "env", "--shell", "dotenv", "--url", control),
            *("--session", session_name, "--confdir", str(confdir)),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    expected = dict(line.split("=", 1) for line in printed.splitlines())
    expected = {name: value.strip('"').replace('\\"', '"') for name, value in expected.items()}
    seen = pretenders_run(
        "--url",
        control,
        "--session",
        session_name,
        "--",
        PY,
        "-c",
        "import json, os; print(json.dumps(dict(os.environ)))",
        confdir=confdir,
    )
    environment = json.loads(seen.stdout)
    assert {name: environment.get(name) for name in expected} == expected
    for name in ("HTTPS_PROXY", "NODE_OPTIONS", "JAVA_TOOL_OPTIONS", "GIT_SSL_CAINFO", "WGETRC"):
        assert name in expected
    requests.delete(f"{control}/api/v1/sessions/{session_name}", timeout=10)


def test_a_server_with_a_token_needs_it_and_takes_it_from_the_environment(confdir: Path) -> None:
    with launch(["--token", "s3cret"], confdir=confdir) as server:
        url = "https://api.example.test/hello"
        refused = pretenders_run("--url", server.control, "--", "curl", "-s", url, confdir=confdir)
        assert refused.returncode == 2
        assert refused.stderr.startswith(f"pretenders: {server.control}: ")
        assert "token" in refused.stderr.lower()
        given = pretenders_run(
            "--url", server.control, "--", "curl", "-s", url,
            confdir=confdir, env=dict(os.environ, PRETENDERS_TOKEN="s3cret"),
        )  # fmt: skip
        assert given.returncode == 0, given.stderr
        assert "matched nothing: GET https://api.example.test/hello" in given.stderr


def test_env_with_a_url_and_no_session_is_the_default_sessions(
    pretenders_server: RunningServer, confdir: Path
) -> None:
    control = pretenders_server.control

    def printed() -> dict[str, str]:
        done = subprocess.run(
            [PY, "-m", "pretenders_proxy", "env", "--shell", "dotenv", "--url", control,
             "--confdir", str(confdir)],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        return dict(line.split("=", 1) for line in done.stdout.splitlines())

    before = {s["name"] for s in requests.get(f"{control}/api/v1/sessions", timeout=10).json()}
    first, second = printed(), printed()
    assert first["PRETENDERS_SESSION"] == "default"
    assert first["HTTPS_PROXY"] == second["HTTPS_PROXY"]  # one port, opened once
    after = {s["name"] for s in requests.get(f"{control}/api/v1/sessions", timeout=10).json()}
    assert after == before | {"default"}  # no session left behind


def test_git_clones_over_https_recorded_then_replayed_with_the_server_gone(
    local_ca: LocalCA, confdir: Path, tmp_path: Path, session_name: str
) -> None:
    """A real git repository served over TLS by a static (dumb-HTTP) server: `git clone`
    through `pretenders run --record`, then again from `--replay` once the server is gone."""
    bare = tmp_path / "served" / "repo.git"
    work = tmp_path / "work"
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@x.test", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q", str(work)], check=True)
    (work / "README").write_text("cloned through pretenders\n")
    subprocess.run([*git, "-C", str(work), "add", "README"], check=True)
    subprocess.run([*git, "-C", str(work), "commit", "-qm", "first"], check=True)
    subprocess.run([*git, "clone", "-q", "--bare", str(work), str(bare)], check=True)
    subprocess.run(["git", "-C", str(bare), "update-server-info"], check=True)  # dumb HTTP
    cassette = tmp_path / "git.cassette"
    with static_tls_server(tmp_path / "served", local_ca) as port:
        url = f"https://127.0.0.1:{port}/repo.git"
        trusted = ["--upstream-ca", str(local_ca.ca_cert), "--cassette-dir", str(tmp_path)]
        with launch(trusted, confdir=confdir) as server:
            recorded = pretenders_run(
                "--url", server.control, "--session", session_name, "--record", str(cassette),
                "--", *git, "clone", "-q", url, str(tmp_path / "first"),
                confdir=confdir,
            )  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr
    replayed = pretenders_run(
        "--replay", str(cassette), "--", *git, "clone", "-q", url, str(tmp_path / "second"),
        confdir=confdir,
    )  # fmt: skip
    assert replayed.returncode == 0, replayed.stderr
    assert (tmp_path / "second" / "README").read_text() == "cloned through pretenders\n"


@contextmanager
def static_tls_server(folder: Path, ca: LocalCA) -> Iterator[int]:
    """The files of `folder` over HTTPS on a free port of 127.0.0.1 (a dumb-HTTP git server)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(ca.server_cert, ca.server_key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_ctrl_c_to_the_whole_group_leaves_the_runs_server_to_cmd(
    confdir: Path, tmp_path: Path
) -> None:
    """A terminal's Ctrl-C reaches every process of its foreground group: CMD, `pretenders run`
    and — were it in that group — the server started for the run. CMD still gets answers while
    it handles the interrupt: the server is in a group of its own, stopped by the run after."""
    ready = tmp_path / "ready"
    script = (
        "import os, pathlib, signal, sys, time, requests\n"
        "from pretenders_proxy import Pretenders\n"
        "me = Pretenders(os.environ['PRETENDERS_URL'], session=os.environ['PRETENDERS_SESSION'])\n"
        "me.when('GET /bye', host='api.example.test').reply('bye, still answered')\n"
        "def interrupted(*_):\n"
        "    time.sleep(0.5)  # a shutdown that takes a moment, as real ones do\n"
        "    print(requests.get('https://api.example.test/bye', timeout=10).text, flush=True)\n"
        "    sys.exit(0)\n"
        "signal.signal(signal.SIGINT, interrupted)\n"
        "pathlib.Path(sys.argv[1]).touch()\n"
        "time.sleep(60)\n"
    )
    command = [PY, "-m", "pretenders_proxy", "run", "--confdir", str(confdir)]
    clean = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    clean.pop("PRETENDERS_URL", None)
    run = subprocess.Popen(
        [*command, "--", PY, "-c", script, str(ready)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=clean,
        process_group=0,  # the group a terminal's Ctrl-C would reach
    )
    deadline = time.monotonic() + 60
    while not ready.exists() and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGINT)
    out, err = run.communicate(timeout=60)
    assert run.returncode == 0, err
    assert out.strip() == "bye, still answered"
