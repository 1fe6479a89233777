import stat
from pathlib import Path

import pytest

from pretenders_proxy import certs
from pretenders_proxy.errors import ConfigError

PEM = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def test_bundles_are_the_system_roots_plus_more(tmp_path: Path) -> None:
    (tmp_path / certs.CA_CERT).write_bytes(PEM)
    bundle = certs.client_bundle(tmp_path)
    assert bundle == tmp_path / certs.CLIENT_BUNDLE
    content = bundle.read_bytes()
    assert content.startswith(certs.system_roots().read_bytes().rstrip())
    assert content.endswith(PEM)
    before = bundle.stat().st_mtime_ns
    assert certs.client_bundle(tmp_path).stat().st_mtime_ns == before  # unchanged: not rewritten


def test_the_system_roots_ignore_ssl_cert_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", "/somewhere/ca-bundle.pem")
    assert str(certs.system_roots()) != "/somewhere/ca-bundle.pem"


@pytest.mark.parametrize(
    ("content", "problem"), [(None, "cannot read it"), (b"hello", "holds no PEM certificate")]
)
def test_a_bad_upstream_ca_is_named(tmp_path: Path, content: bytes | None, problem: str) -> None:
    extra = tmp_path / "extra.pem"
    if content is not None:
        extra.write_bytes(content)
    with pytest.raises(ConfigError, match=f"--upstream-ca {extra}: {problem}"):
        certs.upstream_bundle(tmp_path, extra)


def test_readable_keys_are_made_private(tmp_path: Path) -> None:
    key, p12 = (tmp_path / name for name in certs.CA_KEYS)
    key.write_bytes(b"key")
    key.chmod(0o644)
    p12.write_bytes(b"key")
    p12.chmod(0o600)
    assert certs.secure_keys(tmp_path) == [key]
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
