"""Unit tests mirror the package: tests/pretenders_proxy/<path>/test_<module>.py."""

from pathlib import Path

ROOT = Path(__file__).parents[1]
UNIT = ROOT / "tests" / "pretenders_proxy"


def test_every_unit_test_file_names_a_module() -> None:
    orphans = []
    for test in UNIT.rglob("test_*.py"):
        relative = test.relative_to(UNIT)
        module = ROOT / "pretenders_proxy" / relative.parent / relative.name.removeprefix("test_")
        if not module.exists():
            orphans.append(str(relative))
    assert orphans == []
