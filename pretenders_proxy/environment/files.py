"""The files an app's environment points at, written beside the CA they trust: the PEM bundle,
Java's truststore, Node's preload and wget's rc file. Each is rewritten only when it changed."""

import warnings
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.utils import CryptographyDeprecationWarning

from pretenders_proxy.certs import client_bundle
from pretenders_proxy.environment.variables import JAVA_TRUSTSTORE_PASSWORD, Files

TRUSTSTORE = "truststore.p12"
NODE_PRELOAD = Path(__file__).parent / "node" / "proxy.cjs"
WGETRC = "wgetrc"
END = b"-----END CERTIFICATE-----"


def client_files(folder: Path) -> Files:
    """The files for clients trusting the CA certificate in `folder` (a confdir), written there,
    named by absolute paths: CMD may change directory, and Node reads a relative --require
    as a package name."""
    folder = folder.absolute()
    bundle = client_bundle(folder)
    return Files(
        bundle=bundle,
        truststore=_truststore(bundle, folder / TRUSTSTORE),
        node_preload=_copied(NODE_PRELOAD, folder / NODE_PRELOAD.name),
        wgetrc=_written(folder / WGETRC, f"ca_certificate = {bundle}\n".encode()),
    )


def _truststore(bundle: Path, path: Path) -> Path:
    """The bundle's certificates as a PKCS12 truststore, made again when the bundle changed
    (its salt is random: the bytes differ each time, so the dates say whether it is current)."""
    if path.exists() and path.stat().st_mtime >= bundle.stat().st_mtime:
        return path
    certificates = _certificates(bundle.read_bytes())
    entries = [
        pkcs12.PKCS12Certificate(cert, f"ca-{n}".encode()) for n, cert in enumerate(certificates)
    ]
    password = BestAvailableEncryption(JAVA_TRUSTSTORE_PASSWORD.encode())
    return _written(path, pkcs12.serialize_java_truststore(entries, password))


def _certificates(pem: bytes) -> list[x509.Certificate]:
    """Each certificate of a PEM bundle that parses: system bundles carry a few old roots
    (a negative serial number) that cryptography warns about now and will refuse."""
    found = []
    for block in pem.split(END)[:-1]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            try:
                found.append(x509.load_pem_x509_certificate(block + END))
            except ValueError:
                continue
    return found


def _copied(source: Path, path: Path) -> Path:
    return _written(path, source.read_bytes())


def _written(path: Path, content: bytes) -> Path:
    if not (path.exists() and path.read_bytes() == content):
        temporary = path.with_name(f".{path.name}.new")
        temporary.write_bytes(content)
        temporary.replace(path)
    return path
