"""Certificate files in the confdir: our CA's private key kept private, and the trust bundles.

A bundle is the system roots (or certifi's) plus more CAs: the client bundle adds our CA, so
that HTTPS that does not go through the proxy keeps working; the upstream bundle adds the CAs
of `--upstream-ca`.
"""

import hashlib
import logging
import os
import ssl
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

import certifi

from pretenders_proxy.errors import ConfigError

logger = logging.getLogger(__name__)

CA_CERT = "mitmproxy-ca-cert.pem"
CA_KEYS = ("mitmproxy-ca.pem", "mitmproxy-ca.p12")
"""mitmproxy's files holding the CA's private key."""
CLIENT_BUNDLE = "ca-bundle.pem"
UPSTREAM_BUNDLE = "upstream-ca-bundle-{digest}.pem"
"""Named by its content: servers sharing a confdir with different `--upstream-ca` each keep
theirs (mitmproxy reads the file again for every upstream connection)."""
PEM_CERTIFICATE = b"-----BEGIN CERTIFICATE-----"


def system_roots() -> Path:
    """The system's CA bundle, or certifi's when the system has none.

    OpenSSL's built-in location, not SSL_CERT_FILE: after `pretenders env` that is our own bundle.
    """
    cafile = ssl.get_default_verify_paths().openssl_cafile
    return Path(cafile) if os.path.isfile(cafile) else Path(certifi.where())


def secure_keys(confdir: Path) -> list[Path]:
    """Make the CA key files mode 0600 where they are not; the files that had to be fixed."""
    fixed = []
    for name in CA_KEYS:
        path = confdir / name
        if path.exists() and stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o600)
            fixed.append(path)
            logger.warning("%s was readable by others; its mode is now 0600", path)
    return fixed


def client_bundle(confdir: Path) -> Path:
    """The bundle for clients of the proxy: system roots plus our CA (written into confdir)."""
    return write_bundle(confdir / CLIENT_BUNDLE, [confdir / CA_CERT], "the pretenders CA")


def upstream_bundle(confdir: Path, extra: Path) -> Path:
    """The bundle upstream certificates are checked against: system roots plus `extra`."""
    content = _bundle([extra], "--upstream-ca")
    digest = hashlib.sha256(content).hexdigest()[:16]
    return _write(confdir / UPSTREAM_BUNDLE.format(digest=digest), content)


def write_bundle(destination: Path, extra: Iterable[Path], what: str) -> Path:
    """System roots plus the PEM certificates of `extra`, replaced atomically when it changed."""
    return _write(destination, _bundle(extra, what))


def _bundle(extra: Iterable[Path], what: str) -> bytes:
    parts = [system_roots().read_bytes()]
    for path in extra:
        parts.append(_certificates(path, what))
    return b"\n".join(part.rstrip(b"\n") for part in parts) + b"\n"


def _write(destination: Path, content: bytes) -> Path:
    if destination.exists() and destination.read_bytes() == content:
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=destination.parent, prefix=".bundle.")
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(content)
    os.chmod(temporary, 0o644)
    os.replace(temporary, destination)
    return destination


def _certificates(path: Path, what: str) -> bytes:
    try:
        content = path.expanduser().read_bytes()
    except OSError as e:
        raise ConfigError(f"{what} {path}: cannot read it ({e.strerror or e})") from e
    if PEM_CERTIFICATE not in content:
        raise ConfigError(f"{what} {path}: holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
    return content
