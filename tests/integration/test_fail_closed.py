"""Replay with --on-miss error never opens a TCP or TLS connection to any upstream."""

from pathlib import Path

import requests

from pretenders_proxy.cassette import io
from pretenders_proxy.launcher import launch
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Request, Response
from tests.integration.clients import CLIENTS
from tests.integration.conftest import AppEnv
from tests.integration.upstream import Upstream


def test_misses_in_replay_connect_to_no_upstream(
    upstream: Upstream, tls_upstream: Upstream, cassette: Path, confdir: Path, app_env: AppEnv
) -> None:
    known = Request("GET", b"/known", host="127.0.0.1", port=upstream.port)
    io.write(cassette, [Exchange(known, Response(200, body=b"recorded"))])
    reverse = ["--reverse", f"{upstream.url}=0", "--reverse", f"{tls_upstream.url}=0"]
    with launch([*reverse, str(cassette)], confdir=confdir, command="replay") as replayer:
        app_env.use(replayer)
        answers = [
            fetch(server.url + path)
            for fetch in CLIENTS.values()
            for server in (upstream, tls_upstream)
            for path in ("/hello", "/known?x=1")
        ]
        answers.append(CLIENTS["requests"](upstream.url + "/known"))
        with requests.Session() as direct:
            direct.trust_env = False
            for target in (upstream, tls_upstream):
                answers.append(direct.get(replayer.reverse(target.url) + "/hello"))  # type: ignore[arg-type]
    statuses = [getattr(answer, "status_code", getattr(answer, "status", 0)) for answer in answers]
    assert statuses == [404] * (len(answers) - 3) + [200, 404, 404]
    assert (upstream.connections, tls_upstream.connections) == (0, 0)
    requests.get(upstream.url + "/hello", proxies={"http": ""})  # the counter does count
    assert upstream.connections == 1
