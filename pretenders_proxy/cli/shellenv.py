"""Variables as the lines that set them in a shell (or a .env file), to paste or `eval`."""

import shlex
from enum import StrEnum


class Shell(StrEnum):
    BASH = "bash"
    FISH = "fish"
    POWERSHELL = "powershell"
    DOTENV = "dotenv"


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
