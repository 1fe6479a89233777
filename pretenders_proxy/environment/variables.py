"""The one definition of the variables that send an app through pretenders and make it trust
the pretenders CA, whatever it is written in: `pretenders env` prints them, `pretenders run`
and the pytest plugin set them."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

CA_VARIABLES = (
    "SSL_CERT_FILE",  # OpenSSL's default: Python's ssl, Go, Ruby, PHP, .NET on Linux
    "REQUESTS_CA_BUNDLE",  # requests
    "CURL_CA_BUNDLE",  # curl, and libcurl in git and PHP
    "NODE_EXTRA_CA_CERTS",  # Node: added to its own roots
    "GIT_SSL_CAINFO",  # git over HTTPS
    "PIP_CERT",  # pip
    "NPM_CONFIG_CAFILE",  # npm's cafile
    "AWS_CA_BUNDLE",  # the AWS SDKs and CLI
    "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH",  # grpcio and the other gRPC C-core clients
    "HTTPLIB2_CA_CERTS",  # httplib2 (Google's older API clients)
    "CARGO_HTTP_CAINFO",  # cargo
    "DENO_CERT",  # Deno
)
JAVA_TRUSTSTORE_PASSWORD = "changeit"
"""The JDK's own truststores' password: a truststore holds no secret, Java just wants one."""


@dataclass(frozen=True)
class Files:
    """What the variables point at (written by environment.files)."""

    bundle: Path
    """PEM: the system roots plus the pretenders CA."""
    truststore: Path
    """PKCS12 for Java: the same certificates."""
    node_preload: Path
    """Node's fetch and http/https through HTTP(S)_PROXY (Node before 24 ignores them)."""
    wgetrc: Path
    """wget's CA (wget reads no CA variable, only a wgetrc)."""


def no_proxy(host: str, port: int) -> list[str]:
    """What keeps the control API at host:port out of the proxy (both names of loopback)."""
    if host in ("127.0.0.1", "localhost"):
        return [f"127.0.0.1:{port}", f"localhost:{port}"]
    return [f"{host}:{port}"]


def variables(
    proxy: str, direct: list[str], files: Files, inherited: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """Every variable, in order: the proxy in both cases (curl reads only `http_proxy`), the CA
    bundle for each tool's own variable, Node's preload and Java's options (added to what
    `inherited` already has in NODE_OPTIONS and JAVA_TOOL_OPTIONS)."""
    inherited = inherited or {}
    proxies = [("HTTP_PROXY", proxy), ("HTTPS_PROXY", proxy), ("NO_PROXY", ",".join(direct))]
    lower = [(name.lower(), value) for name, value in proxies]
    bundles = [(name, str(files.bundle)) for name in CA_VARIABLES]
    node = _added(inherited.get("NODE_OPTIONS"), f"--require={_quoted(files.node_preload)}")
    java = _added(inherited.get("JAVA_TOOL_OPTIONS"), java_options(proxy, direct, files))
    runtimes = [
        ("NODE_OPTIONS", node),
        ("NODE_USE_ENV_PROXY", "1"),  # Node >= 24 reads the proxy variables itself
        ("JAVA_TOOL_OPTIONS", java),
        ("WGETRC", str(files.wgetrc)),
    ]
    return proxies + lower + bundles + runtimes


def java_options(proxy: str, direct: list[str], files: Files) -> str:
    """System properties every JVM reads: the proxy, what goes direct, the truststore.

    Java's nonProxyHosts names hosts without ports: the control API's host goes direct as a
    whole (loopback does by Java's own default too). Java sends no proxy credentials through a
    CONNECT without code of the app's, so `proxy` should be a session's own port.
    """
    url = urlsplit(proxy)
    host, port = url.hostname or "127.0.0.1", url.port or 8080
    hosts = dict.fromkeys(entry.rpartition(":")[0] or entry for entry in direct)
    properties = [
        f"-D{scheme}.proxyHost={host} -D{scheme}.proxyPort={port}" for scheme in ("http", "https")
    ]
    properties += [
        f"-Dhttp.nonProxyHosts={'|'.join(hosts)}",
        f"-Djavax.net.ssl.trustStore={_quoted(files.truststore)}",
        "-Djavax.net.ssl.trustStoreType=PKCS12",
        f"-Djavax.net.ssl.trustStorePassword={JAVA_TRUSTSTORE_PASSWORD}",
    ]
    return " ".join(properties)


def _added(before: str | None, ours: str) -> str:
    """`ours` after what was there, unless it is there already (a run inside a run)."""
    if not before:
        return ours
    return before if ours in before else f"{before} {ours}"


def _quoted(path: Path) -> str:
    """A path as Node's NODE_OPTIONS and the JVM's JAVA_TOOL_OPTIONS split them: in double
    quotes when it has a space."""
    text = str(path)
    return f'"{text}"' if any(c.isspace() for c in text) else text
