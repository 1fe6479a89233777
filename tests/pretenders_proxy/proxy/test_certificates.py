"""Listeners beyond the proxy get certificates from the pretenders CA that clients trust."""

import ssl
from pathlib import Path

import pytest
from mitmproxy import certs

from pretenders_proxy.proxy.certificates import server_context


@pytest.fixture(scope="module")
def certstore(tmp_path_factory: pytest.TempPathFactory) -> certs.CertStore:
    return certs.CertStore.from_store(tmp_path_factory.mktemp("ca"), "mitmproxy", 2048)


def handshake(server: ssl.SSLContext, ca: Path, name: str) -> None:
    """A TLS handshake in memory between `server` and a client trusting only `ca`."""
    client = ssl.create_default_context(cafile=ca)
    pipes = [ssl.MemoryBIO() for _ in range(4)]
    near = client.wrap_bio(pipes[0], pipes[1], server_hostname=name)
    far = server.wrap_bio(pipes[2], pipes[3], server_side=True)
    for _ in range(10):
        done = 0
        for side in (near, far):
            try:
                side.do_handshake()
                done += 1
            except ssl.SSLWantReadError:
                pass
        pipes[2].write(pipes[1].read())
        pipes[0].write(pipes[3].read())
        if done == 2:
            return
    raise AssertionError("the handshake did not finish")


@pytest.mark.parametrize("name", ["smtp.example.test", "localhost", "127.0.0.1", "pretenders"])
def test_a_client_trusting_the_ca_accepts_the_names_and_loopback(
    certstore: certs.CertStore, tmp_path_factory: pytest.TempPathFactory, name: str
) -> None:
    ca = tmp_path_factory.mktemp("trust") / "ca.pem"
    ca.write_bytes(certstore.default_ca.to_pem())
    handshake(server_context(certstore, ["smtp.example.test"]), ca, name)


def test_another_name_is_refused(certstore: certs.CertStore, tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_bytes(certstore.default_ca.to_pem())
    with pytest.raises(ssl.SSLCertVerificationError, match="mismatch"):
        handshake(server_context(certstore, ["smtp.example.test"]), ca, "other.test")
