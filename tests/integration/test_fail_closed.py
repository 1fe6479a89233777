"""Replay with --on-miss error never opens a TCP or TLS connection to any upstream."""

from pathlib import Path

import requests

from pretenders_proxy.cassette import writing
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.testing.launcher import launch
from tests.integration.clients import CLIENTS
from tests.integration.conftest import AppEnv
from tests.integration.upstream import Upstream


def _direct(url: str) -> int:
    with requests.Session() as session:
        session.trust_env = False
        return session.get(url).status_code


def test_misses_in_replay_connect_to_no_upstream(
    upstream: Upstream, tls_upstream: Upstream, cassette: Path, confdir: Path, app_env: AppEnv
) -> None:
    known = Request("GET", b"/known", host="127.0.0.1", port=upstream.port)
    writing.write(cassette, [Exchange(known, Response(200, body=b"recorded"))])
    reverse = ["--reverse", f"{upstream.url}=0", "--reverse", f"{tls_upstream.url}=0"]
    with launch([*reverse, str(cassette)], confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        proxied = [
            fetch(server.url + path).status
            for fetch in CLIENTS.values()
            for server in (upstream, tls_upstream)
            for path in ("/hello", "/known?x=1")
        ]
        hit = CLIENTS["requests"](upstream.url + "/known")
        reversed_ = [
            _direct(replayer.reverse(target.url) + "/hello") for target in (upstream, tls_upstream)
        ]
    assert proxied == [404] * 16
    assert (hit.status, hit.body) == (200, b"recorded")
    assert reversed_ == [404, 404]
    assert (upstream.connections, tls_upstream.connections) == (0, 0)
    _direct(upstream.url + "/hello")  # and the counter does count
    assert upstream.connections == 1
