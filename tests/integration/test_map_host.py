"""`--map-host` (issue 17): requests for a name that resolves nowhere go to local upstreams (TLS
with a certificate for that name, or plain HTTP), and are recorded, shown and replayed offline
under the original name, scheme and port."""

import json
from pathlib import Path

import pytest
import requests
import websockets.sync.client

from pretenders_proxy.cassette import writing
from pretenders_proxy.cassette.reading import read
from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.integration.clients import with_curl, with_requests
from tests.integration.conftest import AppEnv, run_pretenders
from tests.integration.streaming import StreamingUpstream
from tests.integration.tlsca import MAPPED_NAME, LocalCA
from tests.integration.upstream import USER, Upstream

HTTPS_URL = f"https://{MAPPED_NAME}"


def recorded_urls(cassette: Path) -> list[str]:
    return [stored.exchange.request.url for stored in read(cassette).exchanges]


def history_urls(server: RunningServer) -> list[str]:
    answer = requests.get(f"{server.control}/api/v1/requests", timeout=10)
    return [entry["url"] for entry in answer.json()]


def test_an_https_name_maps_to_a_local_tls_upstream_and_replays_offline(
    tls_upstream: Upstream, local_ca: LocalCA, cassette: Path, confdir: Path, app_env: AppEnv
) -> None:
    mapping = f"{MAPPED_NAME}=127.0.0.1:{tls_upstream.port}"
    flags = ["--map-host", mapping, "--upstream-ca", str(local_ca.ca_cert), str(cassette)]
    with launch(flags, confdir=confdir, command="record") as recorder:
        app_env.use(recorder)
        hello = with_curl(HTTPS_URL + "/hello")
        seen = with_requests(HTTPS_URL + "/headers")
        shown = history_urls(recorder)
    tls_upstream.stop()

    assert hello.status == 200 and hello.body == b"hello, world\n"
    assert json.loads(seen.body)["Host"] == MAPPED_NAME  # the Host header keeps the name
    assert set(tls_upstream.server_names) == {MAPPED_NAME}  # and so does the TLS server name
    wanted = [f"{HTTPS_URL}/hello", f"{HTTPS_URL}/headers"]
    assert recorded_urls(cassette) == wanted
    assert shown == wanted  # history: the original names too
    with launch([str(cassette)], confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        assert with_curl(HTTPS_URL + "/hello") == hello
        assert with_requests(HTTPS_URL + "/headers").body == seen.body  # (Set-Cookie redacted)


def test_an_https_name_maps_to_a_plain_upstream_with_an_http_target(
    upstream: Upstream, cassette: Path, confdir: Path, app_env: AppEnv
) -> None:
    flags = ["--map-host", f"{MAPPED_NAME}=http://127.0.0.1:{upstream.port}", str(cassette)]
    with launch(flags, confdir=confdir, command="record") as recorder:
        app_env.use(recorder)
        user = requests.get(HTTPS_URL + "/users/1", timeout=10)
    upstream.stop()
    assert user.status_code == 200 and user.json() == USER
    assert recorded_urls(cassette) == [f"{HTTPS_URL}/users/1"]
    with launch([str(cassette)], confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        assert requests.get(HTTPS_URL + "/users/1", timeout=10).json() == USER


def test_a_port_of_its_own_and_passthrough_on_a_replay_miss(
    upstream: Upstream, cassette: Path, confdir: Path, app_env: AppEnv
) -> None:
    mapping = f"{MAPPED_NAME}:8081=127.0.0.1:{upstream.port}"
    flags = ["--on-miss", "passthrough", "--map-host", mapping, str(cassette)]
    writing.write(cassette, [])
    with launch(flags, confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        mapped = requests.get(f"http://{MAPPED_NAME}:8081/headers", timeout=10)
        other_port = requests.get(f"http://{MAPPED_NAME}:8082/headers", timeout=10)
    assert mapped.status_code == 200 and mapped.json()["Host"] == f"{MAPPED_NAME}:8081"
    assert other_port.status_code == 502  # not mapped: the name resolves nowhere


def talk(proxy: str) -> list[str | bytes]:
    with websockets.sync.client.connect(f"ws://{MAPPED_NAME}/ws", proxy=proxy) as socket:
        heard = [socket.recv(timeout=10)]
        socket.send("ping")
        heard.append(socket.recv(timeout=10))
    return heard


def test_a_websocket_goes_to_the_mapped_upstream_and_replays_offline(
    streaming_upstream: StreamingUpstream, cassette: Path, confdir: Path
) -> None:
    mapping = f"{MAPPED_NAME}=127.0.0.1:{streaming_upstream.port}"
    with launch(["--map-host", mapping, str(cassette)], confdir=confdir, command="record") as rec:
        assert talk(rec.proxy) == ["welcome", "echo: ping"]
    streaming_upstream.stop()
    assert recorded_urls(cassette) == [f"http://{MAPPED_NAME}/ws"]
    with launch([str(cassette)], confdir=confdir, command="replay") as replayer:
        assert talk(replayer.proxy) == ["welcome", "echo: ping"]


@pytest.mark.parametrize(
    ("spec", "named"),
    [
        ("api.example.test", "NAME[:PORT]=[SCHEME://]HOST[:PORT]"),
        ("api.example.test=ftp://127.0.0.1:21", "http or https"),
        ("api.example.test=127.0.0.1:99999", "valid port"),
    ],
)
def test_a_bad_spec_stops_the_start_naming_it(spec: str, named: str, cassette: Path) -> None:
    done = run_pretenders("record", "--map-host", spec, str(cassette))
    assert done.returncode == 2
    assert spec in done.stderr and named in done.stderr


def test_a_streamed_answer_comes_from_the_mapped_upstream_and_replays_offline(
    streaming_upstream: StreamingUpstream, cassette: Path, confdir: Path, app_env: AppEnv
) -> None:
    mapping = f"{MAPPED_NAME}=127.0.0.1:{streaming_upstream.port}"
    url = f"http://{MAPPED_NAME}/chunked?n=3&gap=0.1"
    with launch(["--map-host", mapping, str(cassette)], confdir=confdir, command="record") as rec:
        app_env.use(rec)
        with requests.get(url, stream=True, timeout=10) as answer:
            pieces = [piece for piece in answer.iter_content(None) if piece]
    streaming_upstream.stop()
    assert b"".join(pieces) == b"piece 0\npiece 1\npiece 2\n"
    (exchange,) = [stored.exchange for stored in read(cassette).exchanges]
    assert exchange.request.url == url and len(exchange.response.chunks) == 3
    with launch([str(cassette)], confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        assert requests.get(url, timeout=10).content == b"".join(pieces)


def test_a_reverse_listener_s_name_maps_too(
    tls_upstream: Upstream, local_ca: LocalCA, cassette: Path, confdir: Path
) -> None:
    mapping = f"{MAPPED_NAME}=127.0.0.1:{tls_upstream.port}"
    reverse = ["--reverse", f"{HTTPS_URL}=0", "--map-host", mapping]
    flags = [*reverse, "--upstream-ca", str(local_ca.ca_cert), str(cassette)]
    with launch(flags, confdir=confdir, command="record") as recorder:
        listener = recorder.reverse(HTTPS_URL)
        seen = requests.get(listener + "/headers", timeout=10)
    assert seen.status_code == 200 and seen.json()["Host"] == MAPPED_NAME
    assert set(tls_upstream.server_names) == {MAPPED_NAME}
    assert recorded_urls(cassette) == [f"{HTTPS_URL}/headers"]
