"""The trimmed mitmproxy Master: mitmproxy's options say what the settings say."""

from pathlib import Path

from pretenders_proxy.proxy.master import build_master, mitmproxy_options
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.settings import Settings


def test_the_options_follow_the_settings() -> None:
    settings = Settings(proxy_port=0, smtp_port_range=(9000, 9009), mock_timeout=None)
    options = mitmproxy_options(settings)
    assert (options["listen_host"], options["listen_port"]) == ("127.0.0.1", 0)
    assert options["confdir"] == str(Path(settings.confdir).expanduser())
    assert options["connection_strategy"] == "lazy"  # presets and replay never go upstream
    assert options["pretenders_smtp_port_range"] == "9000-9009"
    assert options["pretenders_mock_timeout"] == "FOREVER"
    assert mitmproxy_options(Settings(mock_timeout=5.0))["pretenders_mock_timeout"] == "5.0"


async def test_the_master_carries_our_addons_configured_from_the_runtime() -> None:
    runtime = Runtime(Settings(proxy_port=0, history_limit=3))
    master = build_master(runtime)
    assert master.options.listen_port == 0 and master.options.pretenders_history_limit == 3
    assert master.addons.get("services") is not None
    assert master.addons.get("proxyserver") is not None


async def test_extra_options_apply_over_the_settings() -> None:
    master = build_master(Runtime(Settings(proxy_port=0)), {"listen_port": 18080})
    assert master.options.listen_port == 18080
