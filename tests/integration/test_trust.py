"""The CA in the confdir (key 0600), `pretenders ca`, GET /ca.pem, `pretenders env` and its
merged bundle, and what upstream TLS certificates are trusted."""

import stat
from pathlib import Path

import pytest
import requests
from typer.testing import CliRunner

from pretenders_proxy.certs import system_roots
from pretenders_proxy.cli.app import app
from pretenders_proxy.testing.launcher import RunningServer, launch
from tests.integration.conftest import AppEnv
from tests.integration.tlsca import LocalCA
from tests.integration.upstream import Upstream


def _pretenders(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_ca_path_creates_the_ca_with_a_private_key(tmp_path: Path) -> None:
    path = Path(_pretenders("ca", "path", "--confdir", str(tmp_path)).strip())
    assert path == tmp_path / "mitmproxy-ca-cert.pem"
    assert path.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    assert stat.S_IMODE((tmp_path / "mitmproxy-ca.pem").stat().st_mode) == 0o600
    assert _pretenders("ca", "show", "--confdir", str(tmp_path)) == path.read_text()


def test_a_ca_key_readable_by_others_is_made_private(tmp_path: Path) -> None:
    _pretenders("ca", "path", "--confdir", str(tmp_path))
    key = tmp_path / "mitmproxy-ca.pem"
    key.chmod(0o644)
    _pretenders("ca", "path", "--confdir", str(tmp_path))
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_the_control_port_serves_the_ca(server: RunningServer, confdir: Path) -> None:
    answer = requests.get(server.control + "/ca.pem")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/x-pem-file"
    assert answer.content == (confdir / "mitmproxy-ca-cert.pem").read_bytes()


@pytest.mark.parametrize(
    ("shell", "line"),
    [
        ("bash", "export HTTPS_PROXY=http://127.0.0.1:9090"),
        ("fish", "set -gx HTTPS_PROXY 'http://127.0.0.1:9090'"),
        ("powershell", "$env:HTTPS_PROXY = 'http://127.0.0.1:9090'"),
        ("dotenv", "HTTPS_PROXY=http://127.0.0.1:9090"),
    ],
)
def test_env_speaks_each_shell(tmp_path: Path, shell: str, line: str) -> None:
    output = _pretenders(
        "env",
        "--shell",
        shell,
        "--confdir",
        str(tmp_path),
        "--proxy-port",
        "9090",
        "--port",
        "9000",
    )
    assert line in output.splitlines()
    names = [
        "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
        "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS",
    ]  # fmt: skip
    assert len(output.splitlines()) == len(names)
    assert all(name in output for name in names)
    assert "127.0.0.1:9000,localhost:9000" in output


def test_env_bundle_is_the_system_roots_plus_our_ca(tmp_path: Path) -> None:
    output = _pretenders("env", "--shell", "dotenv", "--confdir", str(tmp_path), "--session", "s1")
    variables = dict(line.split("=", 1) for line in output.splitlines())
    assert variables["HTTP_PROXY"] == "http://s1:x@127.0.0.1:8080"
    bundle = Path(variables["SSL_CERT_FILE"]).read_bytes()
    assert (tmp_path / "mitmproxy-ca-cert.pem").read_bytes().strip() in bundle
    assert system_roots().read_bytes().strip() in bundle


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
