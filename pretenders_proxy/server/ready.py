"""The ready file (`--ready-file`): JSON telling tools that a server listens, and where.

Written whole or not at all (a temporary file beside it, then os.replace), so a reader that
finds the file can read all of it; tools read this, never the banner, which is for people.
"""

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pretenders_proxy._version import __version__
from pretenders_proxy.certs import CA_CERT


def document(listeners: Mapping[str, str], confdir: Path) -> dict[str, Any]:
    """What the file says: pid, every listener's address (as GET /health lists them), the CA
    certificate's path and the version."""
    return {
        "pid": os.getpid(),
        "listeners": dict(listeners),
        "ca_cert": str((confdir.expanduser() / CA_CERT).absolute()),
        "version": __version__,
    }


def write(path: Path, content: Mapping[str, Any]) -> None:
    """Replace `path` with `content` as JSON in one step; OSError if it cannot be written."""
    commit(prepare(path, content), path)


def prepare(path: Path, content: Mapping[str, Any]) -> Path:
    """Write `content` to a temporary file beside `path` and return it (OSError if it cannot
    be written): `commit` puts it in place once the server really is ready."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as stream:
            json.dump(content, stream, indent=2)
            stream.write("\n")
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


def commit(temporary: Path, path: Path) -> None:
    """Put a prepared file in place in one step (OSError if it cannot be)."""
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def read(path: Path) -> dict[str, Any] | None:
    """The file's content, or None while there is none."""
    try:
        content: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    return content
