"""The core (model, matching, cassette, store and the plain modules beside them) imports no
framework: mitmproxy, aiohttp, aiosmtpd and typer stay at the edges."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "pretenders_proxy"
CORE = ["model", "matching", "cassette", "store"]
CORE_MODULES = ["cassettes.py", "certs.py", "errors.py", "reverse.py", "settings.py", "shellenv.py"]
FRAMEWORKS = {"mitmproxy", "aiohttp", "aiosmtpd", "typer"}


def _core_files() -> list[Path]:
    files = [path for part in CORE for path in sorted((PACKAGE / part).rglob("*.py"))]
    return files + [PACKAGE / name for name in CORE_MODULES]


def _imported(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("path", _core_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_imports_no_framework(path: Path) -> None:
    assert _imported(path) & FRAMEWORKS == set()
