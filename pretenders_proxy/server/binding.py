"""How a listener that could not bind says why, in one line naming the port."""

import errno


def describe_bind_error(what: str, host: str, port: int, error: OSError) -> str:
    """`what` could not listen on host:port: why, in words (port in use, no permission)."""
    if error.errno == errno.EADDRINUSE:
        return f"{what}: port {port} on {host} is already in use (choose another port)"
    if error.errno == errno.EACCES:
        return f"{what}: no permission to listen on port {port} on {host}"
    return f"{what}: cannot listen on {host}:{port}: {error.strerror or error}"
