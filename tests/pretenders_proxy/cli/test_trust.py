"""The CA in the confdir (key 0600), `pretenders ca`, and `pretenders env` with its merged
bundle, as a user types them (typer's CliRunner)."""

import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pretenders_proxy.certs import system_roots
from pretenders_proxy.cli.app import app
from pretenders_proxy.environment.variables import CA_VARIABLES


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
        *CA_VARIABLES, "NODE_OPTIONS", "NODE_USE_ENV_PROXY", "JAVA_TOOL_OPTIONS", "WGETRC",
    ]  # fmt: skip
    assert len(output.splitlines()) == len(names)
    assert all(name in output for name in names)
    assert "127.0.0.1:9000,localhost:9000" in output


def test_env_bundle_is_the_system_roots_plus_our_ca(tmp_path: Path) -> None:
    output = _pretenders("env", "--shell", "dotenv", "--confdir", str(tmp_path))
    variables = dict(line.split("=", 1) for line in output.splitlines())
    assert variables["HTTP_PROXY"] == "http://127.0.0.1:8080"
    bundle = Path(variables["SSL_CERT_FILE"]).read_bytes()
    assert (tmp_path / "mitmproxy-ca-cert.pem").read_bytes().strip() in bundle
    assert system_roots().read_bytes().strip() in bundle


def test_env_for_a_session_needs_the_server_and_says_so(tmp_path: Path) -> None:
    """A session's own proxy port is opened by the running server: none there, one line."""
    result = CliRunner().invoke(
        app, ["env", "--confdir", str(tmp_path), "--session", "s1", "--url", "http://127.0.0.1:9"]
    )
    assert result.exit_code == 2
    assert "no pretenders server answers at http://127.0.0.1:9" in result.output
