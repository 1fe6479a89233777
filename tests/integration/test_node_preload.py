"""The Node preload (pretenders_proxy/environment/node/proxy.cjs): real `node` processes started
with NODE_OPTIONS=--require, their fetch and http/https going through a real pretenders proxy."""

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import pytest
import requests

from pretenders_proxy.certs import client_bundle
from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.integration.bad_proxy import BadProxy
from tests.integration.faulty import refused_url
from tests.integration.tlsca import LocalCA
from tests.integration.upstream import Upstream

EXAMPLE = Path(__file__).parents[2] / "cassettes" / "example.cassette"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "NODE_USE_ENV_PROXY")
GET = """
const [kind, url] = process.argv.slice(1);
const show = (status, text) => console.log(JSON.stringify({status, text}));
if (kind === 'fetch') {
  fetch(url).then(async (r) => show(r.status, await r.text()));
} else {
  require(kind).get(url, (r) => {
    let text = '';
    r.setEncoding('utf8').on('data', (d) => { text += d; });
    r.on('end', () => show(r.statusCode, text));
  });
}
"""
"""`node -e GET KIND URL`: GET URL with fetch, http.get or https.get; prints status and body."""


@pytest.fixture(scope="module")
def preload() -> Iterator[Path]:
    """The preload as installed package data."""
    assert shutil.which("node"), "these tests run Node: apt-get install nodejs"
    with as_file(files("pretenders_proxy.environment") / "node" / "proxy.cjs") as path:
        yield path


def node_env(preload: Path, **variables: str) -> dict[str, str]:
    """This environment without proxy settings, plus the preload and `variables`."""
    env = {k: v for k, v in os.environ.items() if k.upper() not in PROXY_VARIABLES}
    return {**env, "NODE_OPTIONS": f"--require {preload}", **variables}


@pytest.fixture
def app_env(preload: Path, server: RunningServer, session_name: str) -> dict[str, str]:
    """What `pretenders run` gives Node: the proxy with the session as user, the control port
    in NO_PROXY, and the client bundle (system roots + our CA) in NODE_EXTRA_CA_CERTS."""
    assert server.confdir is not None
    proxy = server.proxy.replace("http://", f"http://{session_name}:x@", 1)
    no_proxy = f"{server.host}:{server.port}"
    bundle = str(client_bundle(server.confdir))
    return node_env(
        preload, HTTPS_PROXY=proxy, http_proxy=proxy, NO_PROXY=no_proxy, NODE_EXTRA_CA_CERTS=bundle
    )


def node(env: dict[str, str], *args: str) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(["node", *args], env=env, capture_output=True, text=True, timeout=60)


def get(env: dict[str, str], kind: str, url: str) -> dict[str, Any]:
    done = node(env, "-e", GET, kind, url)
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def add_preset(control: str, session: str, **preset: Any) -> None:
    answer = requests.post(
        f"{control}/api/v1/presets", params={"session": session}, json=preset, timeout=10
    )
    assert answer.status_code == 201, answer.text


def history(control: str, session: str) -> list[dict[str, Any]]:
    answer = requests.get(f"{control}/api/v1/requests", params={"session": session}, timeout=10)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


@pytest.mark.parametrize(
    ("kind", "scheme"),
    [("fetch", "https"), ("fetch", "http"), ("https", "https"), ("http", "http")],
)
def test_node_gets_the_preset_through_the_proxy_in_its_session(
    app_env: dict[str, str], control: str, session_name: str, kind: str, scheme: str
) -> None:
    add_preset(control, session_name, rule="GET /hello", host=r"api\.example\.test", text="hi")
    url = f"{scheme}://api.example.test/hello"
    assert get(app_env, kind, url) == {"status": 200, "text": "hi"}
    [seen] = history(control, session_name)
    assert (seen["url"], seen["source"], seen["status"]) == (url, "preset", 200)


def test_fetch_posts_a_body_through_the_tunnel(
    app_env: dict[str, str], control: str, session_name: str
) -> None:
    add_preset(
        control, session_name, rule={"rule": "POST /items", "json": {"a": 1}}, status=201, text="ok"
    )
    script = """fetch('https://shop.test/items', {method: 'POST', body: '{"a": 1, "b": 2}',
      headers: {'content-type': 'application/json'}}).then((r) => console.log(r.status))"""
    done = node(app_env, "-e", script)
    assert (done.returncode, done.stdout, done.stderr) == (0, "201\n", "")


def test_keep_alive_reuses_the_tunnel(
    app_env: dict[str, str], control: str, session_name: str
) -> None:
    add_preset(control, session_name, rule="GET /n", text="n")
    script = """(async () => { for (let i = 0; i < 3; i++) {
      console.log(await (await fetch('https://api.example.test/n')).text()); } })()"""
    done = node(app_env, "-e", script)
    assert (done.returncode, done.stdout) == (0, "n\nn\nn\n"), done.stderr
    assert len(history(control, session_name)) == 3


@pytest.mark.parametrize("kind", ["fetch", "https"])
def test_the_example_cassette_replays_to_node_offline(
    preload: Path, confdir: Path, kind: str
) -> None:
    """The issue's "done when", without `pretenders run`: Node gets the recorded answer."""
    with launch([str(EXAMPLE)], confdir=confdir, command="replay") as replayer:
        bundle = str(client_bundle(confdir))
        env = node_env(preload, HTTPS_PROXY=replayer.proxy, NODE_EXTRA_CA_CERTS=bundle)
        answer = get(env, kind, "https://api.example.test/hello")
    assert answer == {"status": 200, "text": "Hello from api.example.test!\n"}


@pytest.mark.parametrize("kind", ["fetch", "http"])
def test_a_host_in_no_proxy_is_reached_directly(
    app_env: dict[str, str], upstream: Upstream, control: str, session: str, kind: str
) -> None:
    env = {**app_env, "NO_PROXY": f"{app_env['NO_PROXY']},example.test, 127.0.0.1"}
    assert get(env, kind, upstream.url + "/hello") == {"status": 200, "text": "hello, world\n"}
    assert history(control, session) == []


@pytest.mark.parametrize("kind", ["fetch", "https"])
def test_a_tls_host_in_no_proxy_is_reached_directly_and_verified(
    app_env: dict[str, str], tls_upstream: Upstream, local_ca: LocalCA, kind: str
) -> None:
    env = {**app_env, "NO_PROXY": "127.0.0.1", "NODE_EXTRA_CA_CERTS": str(local_ca.ca_cert)}
    assert get(env, kind, tls_upstream.url + "/hello") == {"status": 200, "text": "hello, world\n"}
    untrusted = node({**env, "NODE_EXTRA_CA_CERTS": ""}, "-e", GET, kind, tls_upstream.url)
    assert untrusted.returncode != 0 and "UNABLE_TO_VERIFY_LEAF_SIGNATURE" in untrusted.stderr


def test_the_control_api_named_in_no_proxy_is_reached_directly(
    app_env: dict[str, str], control: str, session: str
) -> None:
    answer = get(app_env, "fetch", control + "/health")
    assert answer["status"] == 200 and json.loads(answer["text"])["status"] == "ok"
    assert history(control, session) == []


@pytest.mark.parametrize("kind", ["fetch", "https"])
@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (
            b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n",
            "HTTP/1.1 407 Proxy Authentication Required",
        ),
        (b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 502 Bad Gateway"),
        (b"", "the proxy closed the connection"),
    ],
)
def test_a_refused_connect_ends_node_with_the_status_line(
    preload: Path, kind: str, answer: bytes, said: str
) -> None:
    with BadProxy(answer) as proxy:
        env = node_env(preload, HTTPS_PROXY=f"http://s1:secret@127.0.0.1:{proxy.port}")
        done = node(env, "-e", GET, kind, "https://api.example.test/hello")
    assert done.returncode != 0 and done.stdout == ""
    where = f"CONNECT api.example.test:443 through http://s1@127.0.0.1:{proxy.port}"
    assert f"{where}: {said}" in done.stderr
    assert "secret" not in done.stderr
    assert proxy.requests[0].startswith(b"CONNECT api.example.test:443 HTTP/1.1\r\n")
    assert b"\r\nProxy-Authorization: Basic czE6c2VjcmV0\r\n" in proxy.requests[0]  # s1:secret


def test_an_unreachable_proxy_is_named(preload: Path) -> None:
    nobody = refused_url()
    done = node(node_env(preload, HTTPS_PROXY=nobody), "-e", GET, "fetch", "https://a.test/")
    assert done.returncode != 0
    assert f"through {nobody}: connect ECONNREFUSED" in done.stderr


@pytest.mark.parametrize(
    "variables",
    [{}, {"HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": "*"}, {"HTTPS_PROXY": "socks5://x:1"}],
    ids=["no proxy", "proxy", "unsupported proxy"],
)
def test_a_program_without_http_runs_as_without_the_preload(
    preload: Path, variables: dict[str, str]
) -> None:
    done = node(node_env(preload, **variables), "-e", "console.log(1)")
    assert (done.returncode, done.stdout) == (0, "1\n")
    if "socks5" in str(variables):
        assert "pretenders proxy preload not installed: socks5:// proxies" in done.stderr
    else:
        assert done.stderr == ""


def test_without_proxy_variables_nothing_is_replaced(preload: Path) -> None:
    script = """const s = Symbol.for('undici.globalDispatcher.1');
      console.log(globalThis[s] === undefined, require('https').globalAgent.constructor.name)"""
    done = node(node_env(preload), "-e", script)
    assert (done.returncode, done.stdout) == (0, "true Agent\n"), done.stderr


def test_node_use_env_proxy_still_goes_through_the_proxy(
    app_env: dict[str, str], control: str, session_name: str
) -> None:
    """Node 20 ignores NODE_USE_ENV_PROXY, so the preload stays; on Node 24 it steps aside for
    Node's own support: either way the request reaches the session."""
    add_preset(control, session_name, rule="GET /native", text="either way")
    env = {**app_env, "NODE_USE_ENV_PROXY": "1"}
    assert get(env, "fetch", "https://api.example.test/native")["text"] == "either way"


NATIVE = """const http = require('node:http');
http.globalAgent = new http.Agent({ keepAlive: true, proxyEnv: process.env });
const key = Symbol.for('undici.globalDispatcher.1');
Headers;
globalThis[key] = new (class EnvHttpProxyAgent extends globalThis[key].constructor {})();
"""
"""What Node 24 installs when NODE_USE_ENV_PROXY=1, as far as the preload looks (its shape)."""


def test_the_preload_steps_aside_for_nodes_own_proxy_support(preload: Path, tmp_path: Path) -> None:
    native = tmp_path / "native.cjs"
    native.write_text(NATIVE)
    env = node_env(preload, HTTPS_PROXY="http://127.0.0.1:9", HTTP_PROXY="http://127.0.0.1:9")
    env["NODE_OPTIONS"] = f"--require {native} {env['NODE_OPTIONS']}"
    script = """console.log(require('https').globalAgent.constructor.name,
      globalThis[Symbol.for('undici.globalDispatcher.1')].constructor.name)"""
    done = node(env, "-e", script)
    assert (done.returncode, done.stdout, done.stderr) == (0, "Agent EnvHttpProxyAgent\n", "")
    replaced = node(node_env(preload, HTTPS_PROXY="http://127.0.0.1:9"), "-e", script)
    assert replaced.stdout == "TunnelHttpsAgent Agent\n"


NO_PROXY_CASES = [
    ("example.test", "example.test", 443, True),
    ("example.test", "api.example.test", 443, True),
    ("example.test", "badexample.test", 443, False),
    (".example.test", "example.test", 80, True),
    (".example.test", "a.b.example.test", 80, True),
    ("API.Example.test", "api.example.test", 80, True),
    ("api.example.test:8443", "api.example.test", 8443, True),
    ("api.example.test:8443", "api.example.test", 443, False),
    ("*", "anything.test", 80, True),
    ("localhost", "127.0.0.1", 80, False),
    ("127.0.0.1", "127.0.0.1", 8080, True),
    ("[::1]:8080", "::1", 8080, True),
    ("::1", "::1", 80, True),
    ("a.test, b.test ,c.test", "b.test", 80, True),
    ("", "a.test", 80, False),
]


def test_no_proxy_is_read_as_curl_reads_it(preload: Path) -> None:
    script = """const {parseNoProxy, isBypassed} = require(process.argv[1]);
      const cases = JSON.parse(process.argv[2]);
      console.log(JSON.stringify(cases.map(([list, host, port]) =>
        isBypassed(parseNoProxy(list), host, port))));"""
    done = node(node_env(preload), "-e", script, str(preload), json.dumps(NO_PROXY_CASES))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [case[3] for case in NO_PROXY_CASES]
