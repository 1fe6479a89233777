"""The process's open-file limit: raised to the hard limit at start, and shared out among the
listeners so that connections at their caps cannot use up the files the process needs."""

import logging
import resource
from dataclasses import dataclass

logger = logging.getLogger(__name__)
RESERVE = 64
"""Files kept out of the listeners' shares: listening sockets, cassettes, the CA, logs."""
SHARES = 4
"""Control, SMTP, and the proxy twice: each proxied client may hold an upstream connection."""
UNLIMITED_TARGET = 1 << 20
"""What to ask for when the hard limit is "unlimited" (Linux's default nr_open)."""


@dataclass(frozen=True, slots=True)
class FileLimit:
    """The soft limit on open files before start-up raised it, and now."""

    before: int
    now: int


def raise_file_limit() -> FileLimit:
    """Raise the soft limit on open files to the hard one (or as near as the system allows):
    desktops start processes at 1,024, far below what they may use."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    targets = [hard] if hard != resource.RLIM_INFINITY else [UNLIMITED_TARGET, 10240]
    for target in targets:
        if target <= soft:
            break
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (OSError, ValueError) as e:  # macOS: at most OPEN_MAX under "unlimited"
            logger.debug("cannot raise the open-file limit to %d: %s", target, e)
            continue
        break
    now = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    logger.debug("open-file limit %d (was %d, hard limit %d)", now, soft, hard)
    return FileLimit(soft, now)


def connections_allowed(file_limit: int) -> int:
    """The most connections one listener may keep within `file_limit` open files (at least 1)."""
    return max(1, (file_limit - RESERVE) // SHARES)


def fit_connections(wanted: int, file_limit: int) -> tuple[int, str | None]:
    """`wanted` (--max-connections), lowered to what `file_limit` allows, and a warning saying
    so when it was."""
    allowed = connections_allowed(file_limit)
    if wanted <= allowed:
        return wanted, None
    return allowed, (
        f"--max-connections {wanted} lowered to {allowed} per listener: the open-file limit is "
        f"{file_limit} (raise the hard limit, e.g. `ulimit -Hn`, to allow more)"
    )
