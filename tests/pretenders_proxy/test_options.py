from pathlib import Path

import pytest

from pretenders_proxy.matching.modes import Mode, OnMiss
from pretenders_proxy.options import Option, declared
from pretenders_proxy.settings import Settings


def row(name: str) -> Option:
    (found,) = [o for o in declared(Settings) if o.name == name]
    return found


def test_names_flags_and_mitmproxy_options_derive_from_the_field_unless_said() -> None:
    assert (row("smtp_port").flag, row("smtp_port").mitmproxy) == (
        "--smtp-port",
        "pretenders_smtp_port",
    )
    assert (row("cassette_dirs").flag, row("port").mitmproxy) == (
        "--cassette-dir",
        "pretenders_api_port",
    )
    assert (row("mode").flag, row("log_level").mitmproxy) == (None, None)
    assert row("on_miss").commands == ("replay",)
    assert row("host").commands == ("serve", "record", "replay")


@pytest.mark.parametrize(
    ("name", "item", "many", "optional", "choices"),
    [
        ("port", int, False, False, None),
        ("confdir", Path, False, False, None),
        ("token", str, False, True, None),
        ("upstream_ca", Path, False, True, None),
        ("cassette_dirs", Path, True, False, None),
        ("redact_headers", str, True, False, None),
        ("mode", Mode, False, False, ["mock", "record", "replay"]),
    ],
)
def test_the_shape_of_an_option_comes_from_its_type(
    name: str, item: type, many: bool, optional: bool, choices: list[str] | None
) -> None:
    o = row(name)
    assert (o.item, o.many, o.optional, o.choices) == (item, many, optional, choices)


@pytest.mark.parametrize(
    ("name", "value", "written"),
    [
        ("port", 9000, 9000),
        ("confdir", Path("/etc/p"), "/etc/p"),
        ("token", None, ""),
        ("token", "s3cret", "s3cret"),
        ("cassette_dirs", (Path("a"), Path("b")), ["a", "b"]),
        ("on_miss", OnMiss.RECORD, "record"),
        ("smtp_port_range", (9000, 9010), "9000-9010"),
        ("mock_timeout", None, "FOREVER"),
        ("mock_timeout", 0.5, "0.5"),
        ("max_body_size", 3 << 20, "3m"),
        ("upstream_insecure", True, True),
    ],
)
def test_values_are_written_for_mitmproxy_and_read_back(
    name: str, value: object, written: object
) -> None:
    o = row(name)
    assert o.write(value) == written
    assert o.read(written) == value


def test_a_missing_value_reads_as_the_default() -> None:
    assert row("cassette_dirs").read(None) == ()
    assert row("max_body_size").read(None) == 64 << 20  # stock mitmproxy: body_size_limit None
