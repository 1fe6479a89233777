"""How a listener writes the address it bound, and says in one line why it could not bind."""

import errno


def netloc(host: str, port: int) -> str:
    """`host:port`, with an IPv6 host in brackets (as URLs write it)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def describe_bind_error(what: str, host: str, port: int, error: OSError) -> str:
    """`what` could not listen on host:port: why, in words (port in use, no permission)."""
    if error.errno == errno.EADDRINUSE:
        return f"{what}: port {port} on {host} is already in use (choose another port)"
    if error.errno == errno.EACCES:
        return f"{what}: no permission to listen on port {port} on {host}"
    return f"{what}: cannot listen on {host}:{port}: {error.strerror or error}"
