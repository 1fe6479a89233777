"""Unit tests mirror the package: tests/pretenders_proxy/<path>/test_<module>.py, both ways."""

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "pretenders_proxy"
UNIT = ROOT / "tests" / "pretenders_proxy"
NOT_MODULES = {"__init__.py", "__main__.py", "_version.py"}

EXEMPT = {
    # HTTP routes, thin over the store: tested over HTTP against a running server
    "api/cassettes.py": "tests/integration/test_cassette_api.py",
    "api/certificates.py": "tests/integration/test_trust.py (GET /ca.pem)",
    "api/compat.py": "tests/compat/ (the pretenders 1.4 protocol)",
    "api/events.py": "tests/integration/test_events.py",
    "api/mail.py": "tests/integration/test_smtp_capture.py",
    "api/mocks.py": "tests/compat/test_http_mock.py (/mockhttp/ traffic)",
    "api/modes.py": "tests/integration/test_mode_api.py",
    "api/requests.py": "tests/integration/test_verification.py, test_control_api.py",
    "api/smtp_presets.py": "its routes are made by preset_routes: api/test_preset_routes.py",
    "api/v1.py": "tests/integration/test_control_api.py; presets: api/test_preset_routes.py",
    # Listeners and processes: they bind ports or start pretenders, so integration tests
    "api/serve.py": "every integration server; its 431 answer: integration/test_limits.py",
    "api/fastlane.py": "tests/integration/test_fast_lane.py; every mock suite (the default)",
    "proxy/front.py": "tests/integration/test_proxy_lane.py; every proxy suite (the default)",
    "proxy/laneshared.py": "tests/integration/test_shared_replay.py, test_proxy_lane.py",
    "proxy/lane.py": "tests/integration/test_proxy_lane.py; proxy/test_responder.py (take)",
    "cli/serve.py": "tests/integration/test_process.py (serve, record, replay)",
    "proxy/limits.py": "integration/test_limits.py (HTTP layer), test_refused_requests.py",
    "proxy/services.py": "tests/integration/test_process.py (starts the listeners)",
    "proxy/recording.py": "proxy/test_recorder.py, test_streams.py, test_websocket.py",
    "server/process.py": "tests/integration/test_process.py",
    "server/workers.py": "tests/integration/test_workers.py (forks real workers)",
    "cli/workers.py": "tests/integration/test_workers.py (--workers refused, ports taken)",
    "smtp/listeners.py": "tests/integration/test_smtp_capture.py, test_smtp_robustness.py",
    "proxy/session_ports.py": "tests/integration/test_session_ports.py, test_run.py",
    "testing/plugin.py": "tests/integration/test_pytest_plugin.py (pytester)",
    # The clients talk HTTP to a running server
    "client/boss.py": "tests/compat/test_http_mock.py, test_smtp_mock.py",
    "client/http.py": "tests/compat/test_http_mock.py",
    "client/smtp.py": "tests/compat/test_smtp_mock.py",
    # Tested through the modules that use them
    "store/session.py": "store/test_sessions.py (expiry), proxy/test_presets.py (answers)",
    # Plain data with no logic of its own
    "constants.py": "one constant",
    "model/exchange.py": "frozen dataclasses, built by every cassette test",
    "model/mail.py": "frozen dataclasses, built by every mail test",
}
"""Modules without a unit test file, each with where it is tested instead."""


def modules() -> list[str]:
    found = PACKAGE.rglob("*.py")
    return sorted(str(m.relative_to(PACKAGE)) for m in found if m.name not in NOT_MODULES)


def unit_test_of(module: str) -> Path:
    path = Path(module)
    return UNIT / path.parent / f"test_{path.name}"


def test_every_unit_test_file_names_a_module() -> None:
    orphans = []
    for test in UNIT.rglob("test_*.py"):
        relative = test.relative_to(UNIT)
        module = PACKAGE / relative.parent / relative.name.removeprefix("test_")
        if not module.exists():
            orphans.append(str(relative))
    assert orphans == []


def test_every_module_has_a_unit_test_file_or_says_where_it_is_tested() -> None:
    untested = [m for m in modules() if not unit_test_of(m).exists() and m not in EXEMPT]
    assert untested == []


def test_exemptions_name_existing_modules_that_have_no_unit_test_file() -> None:
    stale = [m for m in EXEMPT if m not in modules() or unit_test_of(m).exists()]
    assert stale == []


def readme_tree() -> set[str]:
    """The packages and modules the README's Development tree names under pretenders_proxy/."""
    text = (ROOT / "README.md").read_text()
    block = text.split("## Development", 1)[1].split("```", 2)[1]
    return {m.group(1) for m in re.finditer(r"^  (\w+(?:/|\.py))\s", block, re.M)}


def test_the_readme_tree_matches_the_package() -> None:
    named = readme_tree()
    packages = {f"{p.name}/" for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert named >= packages, f"the README does not name {sorted(packages - named)}"
    missing = sorted(n for n in named if not (PACKAGE / n.rstrip("/")).exists())
    assert missing == [], f"the README names what does not exist: {missing}"
