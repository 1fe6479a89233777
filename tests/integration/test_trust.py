"""GET /ca.pem, and what upstream TLS certificates are trusted (`pretenders ca` and `env` are
unit-tested: tests/pretenders_proxy/cli/test_trust.py)."""

from pathlib import Path

import requests

from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.integration.conftest import AppEnv
from tests.integration.tlsca import LocalCA
from tests.integration.upstream import Upstream


def test_the_control_port_serves_the_ca(server: RunningServer, confdir: Path) -> None:
    answer = requests.get(server.control + "/ca.pem")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/x-pem-file"
    assert answer.content == (confdir / "mitmproxy-ca-cert.pem").read_bytes()


def test_upstream_tls_is_verified_unless_told_otherwise(
    tls_upstream: Upstream, local_ca: LocalCA, cassette: Path, confdir: Path, app_env: AppEnv
) -> None:
    with launch([str(cassette)], confdir=confdir, command="record") as strict:
        app_env.use(strict)
        refused = requests.get(tls_upstream.url + "/hello")
    assert refused.status_code == 502  # the test CA is not among the system roots
    assert "Certificate verify failed" in refused.text

    flags = ["--upstream-insecure", str(cassette)]
    with launch(flags, confdir=confdir, command="record") as insecure:
        app_env.use(insecure)
        accepted = requests.get(tls_upstream.url + "/hello")
    assert accepted.status_code == 200
    assert any("NOT VERIFIED (--upstream-insecure)" in line for line in insecure.output)
