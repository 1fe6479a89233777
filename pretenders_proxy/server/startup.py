"""How a server process starts and runs quicker: mitmproxy's addons loaded one by one, and its
per-message type checks left out.

Both are for the `pretenders serve|record|replay` process only (the entry point calls them),
never for a library user's process.
"""

import importlib.util
import os
import sys
from collections.abc import Mapping, Sequence

SERVER_COMMANDS = frozenset({"serve", "record", "replay"})
NO_OPTIMIZE = "PRETENDERS_NO_OPTIMIZE"
"""Set to 1 to keep mitmproxy's per-message type checks."""


def is_server(argv: Sequence[str]) -> bool:
    """Whether sys.orig_argv (interpreter, its flags, then ours) runs a server command:
    `python -m pretenders_proxy serve ...` or `python /path/to/pretenders serve ...`."""
    rest = list(argv[1:])
    if rest[:2] == ["-m", "pretenders_proxy"]:
        rest = rest[2:]
    elif rest and not rest[0].startswith("-"):
        rest = rest[1:]  # the script
    else:
        return False
    return bool(rest) and rest[0] in SERVER_COMMANDS


def addons_one_by_one() -> None:
    """Let `import mitmproxy.addons.<name>` load that addon alone.

    mitmproxy's `addons/__init__.py` imports every addon it has (flask, ldap3, ...: over a
    second) to build its default list, which pretenders never uses: the package is registered
    without running it, and its modules load when imported.
    """
    if "mitmproxy.addons" in sys.modules:
        return
    import mitmproxy

    spec = importlib.util.find_spec("mitmproxy.addons")
    if spec is None or spec.submodule_search_locations is None:
        return
    package = importlib.util.module_from_spec(spec)
    sys.modules["mitmproxy.addons"] = package
    mitmproxy.addons = package  # type: ignore[attr-defined]


def skip_message_typechecks(environ: Mapping[str, str] = os.environ) -> bool:
    """Leave out the type check mitmproxy runs on every field of every HTTP message it makes
    (under `if __debug__`, so `python -O` would too; but -O bytecode is not cached where
    PYTHONDONTWRITEBYTECODE is set, and compiling it costs seconds at every start).
    Nothing in pretenders relies on those checks; PRETENDERS_NO_OPTIMIZE=1 keeps them."""
    if environ.get(NO_OPTIMIZE) == "1":
        return False
    from mitmproxy import http

    if "__post_init__" in vars(http.MessageData):
        http.MessageData.__post_init__ = _unchecked  # type: ignore[method-assign]
    return True


def _unchecked(self: object) -> None:
    """MessageData.__post_init__ without its type checks."""
