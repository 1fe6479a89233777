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
PURE = ["cassette/formats", "cassette/review.py", "cassette/pages.py", "matching", "model"]
"""Pure functions over data: they take streams or exchanges and never open a file themselves."""
FILE_CALLS = {"open", "read_bytes", "read_text", "write_bytes", "write_text", "mkdir", "unlink"}
FILE_MODULES = {"os", "shutil", "tempfile", "msgpack"}


def core_modules(parts: list[str] = CORE) -> list[Path]:
    found: list[Path] = []
    for part in parts:
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


@pytest.mark.parametrize("module", core_modules(PURE), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_pure_modules_open_no_file(module: Path) -> None:
    tree = ast.parse(module.read_text())
    calls = {
        node.func.id if isinstance(node.func, ast.Name) else node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute)
    }
    assert not calls & FILE_CALLS, f"{module.name} calls {sorted(calls & FILE_CALLS)}"
    modules = {name.split(".")[0] for name in imported(module)}
    assert not modules & FILE_MODULES, f"{module.name} imports {sorted(modules & FILE_MODULES)}"


def test_only_convert_knows_both_mitmproxy_http_and_the_model() -> None:
    both = []
    for module in sorted((PACKAGE / "proxy").glob("*.py")):
        names = imported(module)
        knows_mitmproxy = "mitmproxy.http" in names or "mitmproxy" in names
        if knows_mitmproxy and "pretenders_proxy.model.http" in names:
            both.append(module.name)
    assert both == ["convert.py"]
