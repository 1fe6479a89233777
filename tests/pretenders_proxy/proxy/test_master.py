"""The trimmed mitmproxy Master: mitmproxy's options say what the settings say."""

from pathlib import Path

import pytest
from mitmproxy import exceptions

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.matching.modes import Mode
from pretenders_proxy.proxy.master import build_master, mitmproxy_options
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.settings import Settings


def test_settings_say_which_mitmproxy_options_we_set(tmp_path: Path) -> None:
    settings = Settings(
        host="127.0.0.2",
        proxy_port=9001,
        confdir=tmp_path,
        max_body_size=1 << 20,
        upstream_insecure=True,
        reverse=("https://api.example.test=9002",),
    )
    options = mitmproxy_options(settings)
    assert {name: options[name] for name in options if not name.startswith("pretenders_")} == {
        "listen_host": "127.0.0.2",
        "listen_port": 9001,
        "confdir": str(tmp_path),
        "body_size_limit": "1m",
        "ssl_insecure": True,
        "mode": ["regular", "reverse:https://api.example.test@9002"],
        "connection_strategy": "lazy",
        "upstream_cert": False,
    }
    assert options["pretenders_api_host"] == "127.0.0.2"


def test_a_bad_reverse_listener_is_refused() -> None:
    with pytest.raises(ConfigError, match="expected URL=PORT"):
        mitmproxy_options(Settings(reverse=("api.example.test",)))


async def test_refused_options_roll_back_to_our_confdir_never_to_mitmproxys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    missing = str(tmp_path / "no.cassette")
    settings = Settings(confdir=tmp_path / "conf", mode=Mode.REPLAY, cassettes=(missing,))
    with pytest.raises(exceptions.OptionsError, match=r"no\.cassette"):
        build_master(Runtime(settings))
    assert (tmp_path / "conf" / "mitmproxy-ca-cert.pem").exists()
    assert not (tmp_path / "home").exists()


async def test_the_master_carries_our_addons_configured_from_the_runtime() -> None:
    runtime = Runtime(Settings(proxy_port=0, history_limit=3))
    master = build_master(runtime)
    assert master.options.listen_port == 0 and master.options.pretenders_history_limit == 3
    assert master.addons.get("services") is not None
