"""The core (model, matching, store, cassette, settings, errors, the framework-free parts of
server/) imports no framework and no edge module."""

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "pretenders_proxy"
CORE = [
    "model",
    "matching",
    "store",
    "cassette",
    "settings.py",
    "options.py",
    "errors.py",
    "constants.py",
    "certs.py",
    "server/runtime.py",
    "server/collector.py",
    "server/tasks.py",
    "server/sockets.py",
    "server/binding.py",
    "server/ready.py",
    "server/reservations.py",
    "server/workers.py",
    "server/files.py",
    "server/exhaustion.py",
    "server/gate.py",
    "cli/reverse.py",
    "cli/shellenv.py",
    "environment",
]
EDGE_FRAMEWORKS = {"mitmproxy", "aiosmtpd", "aiohttp", "typer", "httpx", "pydantic", "redis"}
EDGE = ("api", "cli", "client", "proxy", "shared", "smtp", "testing", "server.process")
"""Where the frameworks are used: the core imports none of these (packages, or one module)."""
ALLOWED = {"cassette/convert.py": {"pretenders_proxy.proxy"}}
"""Edge imports a core module may make, each for a reason:
- convert reads and writes every format, mitmproxy's flow files too: that one format needs
  mitmproxy, and its module (`from pretenders_proxy.proxy import flowfile`) is imported only
  when that format is used."""
PURE = [
    "cassette/formats",
    "cassette/review.py",
    "cassette/pages.py",
    "matching",
    "model",
    "environment/variables.py",
]
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


def is_edge(name: str) -> bool:
    inner = name.removeprefix("pretenders_proxy.")
    return name.startswith("pretenders_proxy.") and any(
        inner == edge or inner.startswith(edge + ".") for edge in EDGE
    )


@pytest.mark.parametrize("module", core_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_imports_no_framework_and_no_edge(module: Path) -> None:
    allowed = ALLOWED.get(str(module.relative_to(PACKAGE)), set())
    for name in imported(module) - allowed:
        assert name.split(".")[0] not in EDGE_FRAMEWORKS, f"{module.name} imports {name}"
        assert not is_edge(name), f"{module.name} imports {name}"


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


CLIENT_REFUSES = (
    "api",
    "matching",
    "proxy",
    "smtp",
    "store",
    "server",
    "cli",
    "cassette",
    "testing",
)
"""Server modules: the client may run on another machine than the server, and needs none."""
CLIENT_FRAMEWORKS = {"httpx", "pydantic"}
SHARED = ["wire"]
"""What the control API and the client both import: pydantic models, no framework but that."""


@pytest.mark.parametrize(
    "module", core_modules(["client"]), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_the_client_imports_no_server_module(module: Path) -> None:
    for name in imported(module):
        top, _, inner = name.partition(".")
        if top == "pretenders_proxy":
            server = any(inner == part or inner.startswith(part + ".") for part in CLIENT_REFUSES)
            assert not server, f"{module.name} imports {name}"
        else:
            known = top in sys.stdlib_module_names or top in CLIENT_FRAMEWORKS
            assert known, f"{module.name} imports {name}"


@pytest.mark.parametrize(
    "module", core_modules(["client"]), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_the_client_opens_no_file(module: Path) -> None:
    """Cassettes are the server's: the client names them and never looks at its own disk."""
    tree = ast.parse(module.read_text())
    calls = {
        node.func.id if isinstance(node.func, ast.Name) else node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute)
    }
    found = calls & (FILE_CALLS | {"exists", "is_file", "is_dir", "stat", "touch", "resolve"})
    assert not found, f"{module.name} calls {sorted(found)}"


@pytest.mark.parametrize("module", core_modules(SHARED), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_shared_schemas_import_pydantic_and_the_core_only(module: Path) -> None:
    for name in imported(module):
        assert name.split(".")[0] not in EDGE_FRAMEWORKS - {"pydantic"}, f"{module.name}: {name}"
        assert not is_edge(name), f"{module.name} imports {name}"


def test_only_convert_knows_both_mitmproxy_http_and_the_model() -> None:
    both = []
    for module in sorted((PACKAGE / "proxy").glob("*.py")):
        names = imported(module)
        knows_mitmproxy = "mitmproxy.http" in names or "mitmproxy" in names
        if knows_mitmproxy and "pretenders_proxy.model.http" in names:
            both.append(module.name)
    assert both == ["convert.py"]
