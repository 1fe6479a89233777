"""The core (model, matching, store, cassette, settings, errors) imports no framework."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "pretenders_proxy"
CORE = [
    "model",
    "matching",
    "store",
    "cassette",
    "settings.py",
    "errors.py",
    "runtime.py",
    "cassettes.py",
    "certs.py",
    "reverse.py",
    "shellenv.py",
]
EDGE_FRAMEWORKS = {"mitmproxy", "aiosmtpd", "aiohttp", "typer", "httpx", "pydantic"}
EDGE_PACKAGES = {"proxy", "api", "smtp", "client", "cli", "server"}


def core_modules() -> list[Path]:
    found: list[Path] = []
    for part in CORE:
        path = PACKAGE / part
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.exists() else []
    return found


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", core_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_imports_no_framework_and_no_edge(module: Path) -> None:
    for name in imported(module):
        top = name.split(".")[0]
        assert top not in EDGE_FRAMEWORKS, f"{module.name} imports {name}"
        if top == "pretenders_proxy":
            assert name.split(".")[1] not in EDGE_PACKAGES, f"{module.name} imports {name}"


def test_only_convert_knows_both_mitmproxy_http_and_the_model() -> None:
    both = []
    for module in sorted((PACKAGE / "proxy").glob("*.py")):
        names = imported(module)
        knows_mitmproxy = "mitmproxy.http" in names or "mitmproxy" in names
        if knows_mitmproxy and "pretenders_proxy.model.http" in names:
            both.append(module.name)
    assert both == ["convert.py"]
