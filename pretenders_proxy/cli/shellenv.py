"""The environment variables that send an app through pretenders, as shell lines to paste."""

import shlex
from enum import StrEnum
from pathlib import Path

CA_VARIABLES = (
    "SSL_CERT_FILE",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "NODE_EXTRA_CA_CERTS",
    "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH",  # grpcio and the other gRPC C-core clients
)


class Shell(StrEnum):
    BASH = "bash"
    FISH = "fish"
    POWERSHELL = "powershell"
    DOTENV = "dotenv"


def no_proxy(host: str, port: int) -> list[str]:
    """What keeps the control API at host:port out of the proxy (both names of loopback)."""
    if host in ("127.0.0.1", "localhost"):
        return [f"127.0.0.1:{port}", f"localhost:{port}"]
    return [f"{host}:{port}"]


def variables(proxy: str, no_proxy: list[str], bundle: Path) -> list[tuple[str, str]]:
    """Proxy variables (upper and lower case: curl reads only `http_proxy`) and CA variables."""
    proxies = [("HTTP_PROXY", proxy), ("HTTPS_PROXY", proxy), ("NO_PROXY", ",".join(no_proxy))]
    lower = [(name.lower(), value) for name, value in proxies]
    return proxies + lower + [(name, str(bundle)) for name in CA_VARIABLES]


def render(pairs: list[tuple[str, str]], shell: Shell) -> str:
    """The lines that set `pairs` in `shell`."""
    return "".join(_line(name, value, shell) + "\n" for name, value in pairs)


def _line(name: str, value: str, shell: Shell) -> str:
    if shell is Shell.BASH:
        return f"export {name}={shlex.quote(value)}"
    if shell is Shell.FISH:
        escaped = value.replace("\\", "\\\\").replace("'", "\\'")
        return f"set -gx {name} '{escaped}'"
    if shell is Shell.POWERSHELL:
        return f"$env:{name} = '{value.replace("'", "''")}'"
    if value and all(c.isalnum() or c in "/:.,_-@+=" for c in value):
        return f"{name}={value}"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{name}="{escaped}"'
