from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from mitmproxy.test import taddons
from typer.testing import CliRunner

from pretenders_proxy.cli import serve
from pretenders_proxy.errors import ConfigError
from pretenders_proxy.matching.modes import Mode
from pretenders_proxy.options import declared, option
from pretenders_proxy.proxy.master import mitmproxy_options
from pretenders_proxy.proxy.options import Options
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.settings import (
    ANY_PORT,
    Settings,
    is_loopback,
    parse_port_range,
    parse_size,
    parse_timeout,
    show_size,
    show_timeout,
)


def test_defaults_follow_the_listener_table() -> None:
    s = Settings()
    assert (s.host, s.port, s.proxy_port, s.smtp_port) == ("127.0.0.1", 8000, 8080, 1025)
    assert s.smtp_port_range == (8001, 8014) and s.history_limit == 10_000


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"port": 70000}, "port 70000 is not a TCP port"),
        ({"smtp_port_range": (9, 3)}, "smtp port range 9-3"),
        ({"smtp_port_range": (0, 10)}, "smtp port range 0-10"),
        ({"smtp_max_size": 0}, "smtp max size 0 must be at least 1 byte"),
        ({"stale_period": 0}, "stale period"),
        ({"miss_status": 99}, "miss status 99"),
        ({"history_limit": 0}, "history limit"),
        ({"history_max_bytes": 0}, "history max bytes 0 must be at least 1"),
        ({"max_sessions": 0}, "max sessions 0 must be at least 1"),
        ({"workers": 0}, "--workers 0 must be at least 1"),
        ({"header_timeout": 0}, "header timeout 0 must be a positive number"),
        ({"idle_timeout": float("inf")}, "idle timeout inf must be a positive number"),
        ({"max_connections": 0}, "max connections 0 must be at least 1"),
        ({"replay_speed": -1}, "--replay-speed -1 is not a speed: give 0 \\(no waiting\\)"),
        ({"replay_speed": float("nan")}, "--replay-speed nan is not a speed"),
        ({"host": "0.0.0.0"}, "not loopback: set a token"),
        ({"allowed_hosts": ("dev.lan:8000",)}, "'dev.lan:8000': give the name without a port"),
        ({"allowed_hosts": ("http://dev.lan",)}, "without a port"),
        ({"allowed_hosts": ("dev.lan/x",)}, "'dev.lan/x' is not a host name"),
        ({"allowed_hosts": ("",)}, "'' is not a host name"),
        ({"ignore": ("json:$.ok", "json:$.a[")}, r"json path \$\.a\[: unclosed bracket at 4"),
    ],
)
def test_bad_settings_say_what_is_wrong(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings(**fields)  # type: ignore[arg-type]


def test_off_loopback_with_a_token_is_allowed() -> None:
    assert Settings(host="0.0.0.0", token="s3cret").token == "s3cret"


def test_allowed_hosts_are_names_or_addresses() -> None:
    names = ("dev.lan", "192.168.1.5", "::1", "[fe80::1]", "my-box")
    assert Settings(allowed_hosts=names).allowed_hosts == names


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.5.5.5", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("10.0.0.1", False),
        ("example.com", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_port_ranges_and_timeouts() -> None:
    assert parse_port_range("8001-8014") == (8001, 8014)
    assert parse_port_range("9000") == (9000, 9000)
    assert parse_port_range("0") == ANY_PORT == Settings(smtp_port_range=ANY_PORT).smtp_port_range
    assert parse_timeout("FOREVER") is None and parse_timeout("forever") is None
    assert parse_timeout("0.5") == 0.5
    for bad in ("x", "-1", "nan"):
        with pytest.raises(ConfigError):
            parse_timeout(bad)
    with pytest.raises(ConfigError, match="like 8001-8014"):
        parse_port_range("a-b")


@pytest.mark.parametrize(
    ("text", "size"),
    [("65536", 65536), ("64k", 65536), ("64m", 64 << 20), ("64MiB", 64 << 20), ("1g", 1 << 30)],
)
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize(
    ("size", "text"), [(64 << 20, "64m"), (1 << 30, "1g"), (1536 << 10, "1536k"), (1000, "1000")]
)
def test_sizes_are_shown_in_the_largest_whole_unit(size: int, text: str) -> None:
    assert show_size(size) == text and parse_size(text) == size


def test_timeouts_are_shown_as_given() -> None:
    assert [show_timeout(t) for t in (120.0, 0.25, None)] == ["120", "0.25", "FOREVER"]


def test_settings_read_back_from_the_options_they_write(tmp_path: Path) -> None:
    settings = Settings(
        host="::1",
        port=9000,
        proxy_port=9001,
        smtp_port_range=ANY_PORT,
        confdir=tmp_path,
        mock_timeout=None,
        max_body_size=5 << 20,
        token="s3cret",
        cassette_dirs=(tmp_path, tmp_path / "more"),
        upstream_ca=tmp_path / "ca.pem",
        upstream_insecure=True,
        redact_query=("key",),
        mode=Mode.REPLAY,
        cassettes=("a.cassette",),
        log_level="debug",
    )
    written = {
        o.mitmproxy: o.write(getattr(settings, o.name)) for o in declared(Settings) if o.mitmproxy
    }
    assert Settings.from_options(written, base=settings) == settings
    # Fields without a mitmproxy option (log_level) keep base's value, or their default.
    assert Settings.from_options(written).log_level == "info"


def test_a_bad_size_is_named() -> None:
    with pytest.raises(ConfigError, match="size '64 apples' is not like"):
        parse_size("64 apples")


@dataclass(frozen=True, slots=True)
class Extended(Settings):
    """Settings with one more option, declared in one place as every option is."""

    colour: str = option("blue", "The colour of everything.")


def test_an_option_declared_once_reaches_the_flags_the_settings_and_mitmproxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = typer.Typer(rich_markup_mode=None)  # as the pretenders command
    serve.add_commands(app, Extended)
    runner = CliRunner()
    for command in ("serve", "record", "replay"):
        shown = runner.invoke(app, [command, "--help"]).output
        assert "--colour" in shown and "The colour of everything." in shown, command
        assert "[default: blue]" in shown

    started: list[Settings] = []

    async def run(settings: Settings) -> int:
        started.append(settings)
        return 0

    monkeypatch.setattr(serve, "_setup_logging", lambda level: None)
    monkeypatch.setattr(serve, "_run", run)
    result = runner.invoke(app, ["serve", "--colour", "red", "--port", "9000"])
    assert result.exit_code == 0, result.output
    assert started == [Extended(colour="red", port=9000)]

    assert mitmproxy_options(Extended(colour="green"))["pretenders_colour"] == "green"
    runtime = Runtime(Extended())
    addon = Options(runtime)
    with taddons.context(addon) as tctx:
        assert tctx.options.pretenders_colour == "blue"
        assert tctx.options._options["pretenders_colour"].help == "The colour of everything."
        tctx.configure(addon, pretenders_colour="red")
    assert isinstance(runtime.settings, Extended) and runtime.settings.colour == "red"
