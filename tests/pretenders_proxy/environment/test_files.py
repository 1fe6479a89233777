"""The files an app's variables point at: bundle, Java truststore, Node preload, wgetrc."""

import warnings
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.utils import CryptographyDeprecationWarning

from pretenders_proxy.certs import CA_CERT
from pretenders_proxy.environment.files import NODE_PRELOAD, client_files
from tests.integration.tlsca import make_ca


def trusted(truststore: Path) -> list[x509.Certificate]:
    with warnings.catch_warnings():  # a system root or two has a negative serial number
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        store = pkcs12.load_pkcs12(truststore.read_bytes(), b"changeit")
    return [entry.certificate for entry in store.additional_certs]


def use_ca(confdir: Path, name: str) -> x509.Certificate:
    """A fresh CA as confdir's CA certificate."""
    (confdir / name).mkdir()
    pem = make_ca(confdir / name).ca_cert.read_bytes()
    (confdir / CA_CERT).write_bytes(pem)
    return x509.load_pem_x509_certificate(pem)


def test_the_truststore_holds_the_system_roots_and_our_ca(tmp_path: Path) -> None:
    ours = use_ca(tmp_path, "ca")
    files = client_files(tmp_path)
    certificates = trusted(files.truststore)
    assert ours in certificates
    assert len(certificates) > 50  # and the system's roots beside it
    assert files.bundle.read_bytes().count(b"BEGIN CERTIFICATE") >= len(certificates)


def test_files_are_written_again_only_when_what_they_hold_changed(tmp_path: Path) -> None:
    use_ca(tmp_path, "ca")
    first = client_files(tmp_path)
    stamps = {path: path.stat().st_mtime_ns for path in vars(first).values()}
    again = client_files(tmp_path)
    assert {path: path.stat().st_mtime_ns for path in vars(again).values()} == stamps
    other = use_ca(tmp_path, "other")  # a new CA: a new truststore
    assert other in trusted(client_files(tmp_path).truststore)


def test_node_preload_and_wgetrc_point_where_they_should(tmp_path: Path) -> None:
    use_ca(tmp_path, "ca")
    files = client_files(tmp_path)
    assert files.node_preload.read_bytes() == NODE_PRELOAD.read_bytes()
    assert files.wgetrc.read_text() == f"ca_certificate = {files.bundle}\n"


def test_a_relative_confdir_gives_absolute_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "conf").mkdir()
    use_ca(tmp_path / "conf", "ca")
    monkeypatch.chdir(tmp_path)
    files = client_files(Path("conf"))
    assert all(path.is_absolute() for path in vars(files).values())
    assert files.node_preload == tmp_path / "conf" / NODE_PRELOAD.name
