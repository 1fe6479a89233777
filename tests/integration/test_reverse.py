"""Reverse listeners (`--reverse URL=PORT`) record and replay like the forward proxy."""

from pathlib import Path

import requests

from pretenders_proxy.testing.launcher import launch
from tests.integration.conftest import AppEnv
from tests.integration.tlsca import LocalCA
from tests.integration.upstream import Upstream


def _direct(url: str) -> requests.Response:
    with requests.Session() as session:
        session.trust_env = False  # what an app that cannot use a proxy does
        return session.post(url, data=b"to the reverse listener")


def test_a_reverse_listener_records_and_replays(
    tls_upstream: Upstream, local_ca: LocalCA, cassette: Path, confdir: Path, app_env: AppEnv
) -> None:
    reverse = ["--reverse", f"{tls_upstream.url}=0"]
    flags = [*reverse, "--upstream-ca", str(local_ca.ca_cert), str(cassette)]
    with launch(flags, confdir=confdir, command="record") as recorder:
        listener = recorder.reverse(tls_upstream.url)
        recorded = _direct(listener + "/echo")
        health = requests.get(recorder.control + "/health").json()
    tls_upstream.stop()
    assert recorded.content == b"echo: to the reverse listener"
    assert health["listeners"][f"reverse:{tls_upstream.url}"] == listener
    assert any(f"reverse to {tls_upstream.url}" in line for line in recorder.output)

    with launch([*reverse, str(cassette)], confdir=confdir, command="replay") as replayer:
        replayed = _direct(replayer.reverse(tls_upstream.url) + "/echo")
        app_env.use(replayer)  # the same recording answers through the forward proxy too
        proxied = requests.post(tls_upstream.url + "/echo", data=b"to the reverse listener")
    assert (replayed.status_code, replayed.content) == (200, recorded.content)
    assert replayed.headers == recorded.headers
    assert proxied.content == recorded.content
