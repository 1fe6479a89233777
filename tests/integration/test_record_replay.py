"""Real clients record through the proxy from local upstreams; with the upstreams stopped,
replay gives them the same status, headers and bytes."""

import http.client
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from pretenders_proxy.cassette import writing
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.testing.launcher import launch
from tests.integration.clients import CLIENTS, Seen, with_curl, with_requests
from tests.integration.conftest import AppEnv
from tests.integration.tlsca import LocalCA
from tests.integration.upstream import BIG, GZIPPED, LATIN1, PNG, Upstream

PATHS = ["/gzip", "/image.png", "/chunked", "/latin1", "/hello"]


def _visit(upstreams: list[Upstream]) -> dict[tuple[str, str, str], Seen]:
    seen = {}
    for upstream in upstreams:
        for name, fetch in CLIENTS.items():
            for path in PATHS:
                seen[name, upstream.scheme, path] = fetch(upstream.url + path)
        seen["requests", upstream.scheme, "/big"] = with_requests(upstream.url + "/big")
    return seen


def test_real_clients_get_recorded_answers_back_byte_for_byte(
    upstream: Upstream,
    tls_upstream: Upstream,
    local_ca: LocalCA,
    cassette: Path,
    confdir: Path,
    app_env: AppEnv,
) -> None:
    flags = ["--upstream-ca", str(local_ca.ca_cert), str(cassette)]
    with launch(flags, confdir=confdir, command="record") as recorder:
        app_env.use(recorder)
        recorded = _visit([upstream, tls_upstream])
    upstream.stop()
    tls_upstream.stop()

    assert {seen.status for seen in recorded.values()} == {200}
    assert recorded["curl", "https", "/gzip"].body == GZIPPED
    assert recorded["httpx", "http", "/image.png"].body == PNG
    assert recorded["requests", "https", "/latin1"].body == LATIN1
    assert recorded["requests", "https", "/big"].body == BIG
    assert ("Transfer-Encoding", "chunked") in recorded["curl", "http", "/chunked"].headers

    with launch([str(cassette)], confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        replayed = _visit([upstream, tls_upstream])
    assert replayed.keys() == recorded.keys()
    for key, seen in recorded.items():
        assert replayed[key] == seen, key


def test_http2_records_and_replays(
    tls_upstream: Upstream, local_ca: LocalCA, cassette: Path, confdir: Path, app_env: AppEnv
) -> None:
    def fetch() -> httpx.Response:
        with httpx.Client(http2=True) as client:
            answer = client.post(tls_upstream.url + "/echo", content=b"\x00h2 body\xff")
            answer.read()
            return answer

    with launch(
        ["--upstream-ca", str(local_ca.ca_cert), str(cassette)], confdir=confdir, command="record"
    ) as recorder:
        app_env.use(recorder)
        recorded = fetch()
    tls_upstream.stop()
    with launch([str(cassette)], confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        replayed = fetch()
    assert recorded.http_version == replayed.http_version == "HTTP/2"
    assert recorded.content == replayed.content == b"echo: \x00h2 body\xff"
    assert replayed.headers["x-upstream"] == "yes"
    assert replayed.headers.raw == recorded.headers.raw


def test_curl_alone_through_the_proxy_variables(
    upstream: Upstream, cassette: Path, confdir: Path, app_env: AppEnv
) -> None:
    with launch([str(cassette)], confdir=confdir, command="record") as recorder:
        app_env.use(recorder)
        recorded = with_curl(upstream.url + "/hello?x=1")
    upstream.stop()
    with launch([str(cassette)], confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        assert with_curl(upstream.url + "/hello?x=1") == recorded


def test_replay_leaves_out_the_recorded_connection_s_headers(cassette: Path, confdir: Path) -> None:
    recorded = Response(
        200,
        ((b"Content-Type", b"text/plain"), (b"Connection", b"close"), (b"Keep-Alive", b"5")),
        b"kept open\n",
    )
    writing.write(cassette, [Exchange(Request("GET", b"/a", host="api.test", port=80), recorded)])
    with launch([str(cassette)], confdir=confdir, command="replay") as replayer:
        proxy = urlsplit(replayer.proxy)
        client = http.client.HTTPConnection(proxy.hostname or "", proxy.port, timeout=10)
        answers, sockets = [], []
        for _ in range(3):  # one keep-alive connection: the recorded `close` must not close it
            client.request("GET", "http://api.test/a")
            answer = client.getresponse()
            answers.append((answer.status, answer.read(), answer.getheader("Connection")))
            sockets.append(client.sock)
        client.close()
    assert answers == [(200, b"kept open\n", None)] * 3
    assert sockets[0] is not None and sockets.count(sockets[0]) == 3


def test_a_second_start_reads_the_cached_index_until_the_cassette_changes(
    cassette: Path, confdir: Path
) -> None:
    def exchange(n: int) -> Exchange:
        return Exchange(
            Request("GET", f"/{n}".encode(), host="api.test", port=80),
            Response(200, ((b"Content-Type", b"text/plain"),), f"answer {n}\n".encode()),
        )

    def replayed(count: int) -> list[str]:
        with (
            launch([str(cassette)], confdir=confdir, command="replay") as replayer,
            httpx.Client(proxy=replayer.proxy) as client,
        ):
            return [client.get(f"http://api.test/{n}").text for n in range(count)]

    writing.write(cassette, [exchange(0), exchange(1)])
    assert replayed(2) == ["answer 0\n", "answer 1\n"]
    indexes = (confdir / "cassette-index").glob("*.index")
    assert any(str(cassette).encode() in index.read_bytes() for index in indexes)
    assert replayed(2) == ["answer 0\n", "answer 1\n"]  # from the cached index
    writer = writing.Writer.open(cassette)
    writer.append(exchange(2))
    writer.close()
    assert replayed(3) == ["answer 0\n", "answer 1\n", "answer 2\n"]
