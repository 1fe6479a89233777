from pathlib import Path

import pytest
from mitmproxy import exceptions
from mitmproxy.addons import proxyserver
from mitmproxy.test import taddons

from pretenders_proxy.proxy.options import Options
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.settings import Settings

DECLARED = {
    "pretenders_api_host": "127.0.0.1",
    "pretenders_api_port": 8000,
    "pretenders_api_token": "",
    "pretenders_smtp_port": 1025,
    "pretenders_smtp_port_range": "8001-8014",
    "pretenders_smtp_max_size": 25 << 20,
    "pretenders_mock_stale_period": 60.0,
    "pretenders_mock_timeout": "120",
    "pretenders_miss_status": 404,
    "pretenders_history_limit": 10_000,
    "pretenders_allowed_hosts": [],
    "pretenders_history_max_bytes": "64m",
    "pretenders_max_sessions": 10_000,
    "pretenders_store": "memory",
    "pretenders_store_prefix": "pretenders",
    "pretenders_cassette_dirs": [],
    "pretenders_upstream_ca": "",
    "pretenders_map_host": [],
    "pretenders_upstream_timeout": 60.0,
    "pretenders_header_timeout": 60.0,
    "pretenders_idle_timeout": 75.0,
    "pretenders_max_connections": 512,
    "pretenders_plain_mock_replies": False,
    "pretenders_redact_headers": [],
    "pretenders_redact_query": [],
    "pretenders_regex_timeout": 0.02,
    "pretenders_ready_file": "",
    "pretenders_mode": "mock",
    "pretenders_cassettes": [],
    "pretenders_on_miss": "error",
    "pretenders_repeat": "last",
    "pretenders_match_on": "",  # not given: the cassette header's, else the default
    "pretenders_replay_speed": 0.0,
    "pretenders_ignore": [],
    "pretenders_max_age": "",
    "pretenders_on_stale": "warn",
}
"""What `mitmdump -s addons/pretenders.py --options` lists, with the defaults."""


def test_every_option_is_declared_with_its_default_and_help() -> None:
    with taddons.context(Options(Runtime())) as tctx:
        ours = {n: o for n, o in tctx.options._options.items() if n.startswith("pretenders_")}
        assert {name: o.default for name, o in ours.items()} == DECLARED
        assert all(o.help for o in ours.values())
        assert ours["pretenders_on_miss"].choices == ["error", "passthrough", "record"]
        assert ours["pretenders_on_stale"].choices == ["warn", "fail", "record"]


def test_a_change_becomes_the_runtime_settings(tmp_path: Path) -> None:
    runtime = Runtime()
    addon = Options(runtime)
    with taddons.context(proxyserver.Proxyserver(), addon) as tctx:
        tctx.configure(
            addon,
            pretenders_api_port=9000,
            listen_port=9001,
            confdir=str(tmp_path),
            body_size_limit="2m",
            pretenders_mock_timeout="FOREVER",
            pretenders_cassette_dirs=[str(tmp_path)],
        )
    settings = runtime.settings
    assert (settings.port, settings.proxy_port, settings.confdir) == (9000, 9001, tmp_path)
    assert (settings.max_body_size, settings.mock_timeout) == (2 << 20, None)
    assert settings.cassette_dirs == (tmp_path,)
    assert runtime.store.default_timeout is None


def test_fields_without_a_mitmproxy_option_keep_their_value() -> None:
    runtime = Runtime(Settings(log_level="debug", reverse=("https://x.test=9001",)))
    addon = Options(runtime)
    with taddons.context(addon) as tctx:
        tctx.configure(addon, pretenders_miss_status=599)
    settings = runtime.settings
    assert (settings.log_level, settings.reverse) == ("debug", ("https://x.test=9001",))
    assert settings.miss_status == 599


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"pretenders_smtp_port_range": "a-b"}, "port range 'a-b' is not like 8001-8014"),
        ({"pretenders_miss_status": 99}, "miss status 99 is not an HTTP status"),
        ({"pretenders_api_host": "0.0.0.0"}, "on 0.0.0.0, which is not loopback: set a token"),
    ],
)
def test_bad_values_are_refused_naming_them(options: dict[str, object], problem: str) -> None:
    addon = Options(Runtime())
    with (
        taddons.context(addon) as tctx,
        pytest.raises(exceptions.OptionsError, match=f"^pretenders: .*{problem}"),
    ):
        tctx.configure(addon, **options)
