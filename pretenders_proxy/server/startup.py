"""How a server process starts and runs quicker: mitmproxy's addons loaded one by one, and its
per-message type checks left out.

Both are for the `pretenders serve|record|replay` process only (the entry point calls them),
never for a library user's process.
"""

import os
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
    """Let `import mitmproxy.addons.<name>` load that addon alone (mitmproxy's package would
    import every addon it has, which pretenders never uses)."""
    from pretenders_proxy.proxy import internals  # mitmproxy loads here, for a server only

    internals.load_addons_one_by_one()


def skip_message_typechecks(environ: Mapping[str, str] = os.environ) -> bool:
    """Leave out the type check mitmproxy runs on every field of every HTTP message it makes
    (under `if __debug__`, so `python -O` would too; but -O bytecode is not cached where
    PYTHONDONTWRITEBYTECODE is set, and compiling it costs seconds at every start).
    Nothing in pretenders relies on those checks; PRETENDERS_NO_OPTIMIZE=1 keeps them."""
    if environ.get(NO_OPTIMIZE) == "1":
        return False
    from pretenders_proxy.proxy import internals

    internals.skip_message_typechecks()
    return True
