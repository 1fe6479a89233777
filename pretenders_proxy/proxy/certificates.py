"""Server certificates issued by the pretenders CA (mitmproxy's), for listeners beyond the proxy."""

import ipaddress
import ssl
import tempfile
from collections.abc import Iterable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from mitmproxy import certs

LOCAL_NAMES = ("localhost", "pretenders", "127.0.0.1", "::1")


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def server_context(certstore: certs.CertStore, names: Iterable[str]) -> ssl.SSLContext:
    """A TLS server context with a certificate for `names` (and loopback) from `certstore`."""
    wanted = list(dict.fromkeys([*names, *LOCAL_NAMES]))
    entry = certstore.get_cert(wanted[0], [_general_name(n) for n in wanted])
    key = entry.privatekey.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    # ssl wants files; a private temporary directory holds them just long enough to load.
    with tempfile.TemporaryDirectory(prefix="pretenders-tls-") as folder:
        chain, key_file = Path(folder, "chain.pem"), Path(folder, "key.pem")
        chain.write_bytes(b"".join(c.to_pem() for c in [entry.cert, *entry.chain_certs]))
        key_file.write_bytes(key)
        key_file.chmod(0o600)
        context.load_cert_chain(chain, key_file)
    return context
