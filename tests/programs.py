"""The programs ./dev installs (its SYSTEM_PACKAGES), found as ./dev looks for them: on PATH,
haproxy also in /usr/sbin (which a user's PATH may leave out)."""

import shutil


def program(name: str) -> str:
    """The path of `name`; the bare name when it is nowhere, so that running it fails saying so
    (`./dev test` installs it, or stops before the tests run)."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin") or name
