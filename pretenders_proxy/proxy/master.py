"""A mitmproxy Master carrying only what pretenders needs: core, proxy server, TLS, ours."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mitmproxy import options
from mitmproxy.addons import core, next_layer, proxyserver, tlsconfig
from mitmproxy.master import Master

from pretenders_proxy.proxy import default_addons, internals
from pretenders_proxy.proxy.hooks import HookCache
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.settings import Settings


def mitmproxy_options(settings: Settings) -> dict[str, Any]:
    """The mitmproxy and pretenders_* option values that say what `settings` says."""
    return {
        "listen_host": settings.host,
        "listen_port": settings.proxy_port,
        "mode": ["regular"],
        "confdir": str(Path(settings.confdir).expanduser()),
        # Never connect upstream before a request needs it: presets and replay stay offline.
        "connection_strategy": "lazy",
        "upstream_cert": False,
        "pretenders_api_host": settings.host,
        "pretenders_api_port": settings.port,
        "pretenders_api_token": settings.token or "",
        "pretenders_smtp_port": settings.smtp_port,
        "pretenders_smtp_port_range": "{}-{}".format(*settings.smtp_port_range),
        "pretenders_smtp_max_size": settings.smtp_max_size,
        "pretenders_mock_stale_period": settings.stale_period,
        "pretenders_mock_timeout": "FOREVER"
        if settings.mock_timeout is None
        else str(settings.mock_timeout),
        "pretenders_miss_status": settings.miss_status,
        "pretenders_history_limit": settings.history_limit,
        "body_size_limit": str(settings.max_body_size),
        "pretenders_cassette_dirs": [str(d) for d in settings.cassette_dirs],
    }


def build_master(runtime: Runtime, extra: Mapping[str, Any] | None = None) -> Master:
    """A trimmed Master (must be called inside the running loop) configured from the runtime,
    plus `extra` option values (modes, reverse listeners, upstream trust)."""
    master = Master(options.Options(), with_termlog=False)
    internals.replace_addon_manager(master, HookCache(master))
    master.addons.add(
        core.Core(),
        proxyserver.Proxyserver(),
        next_layer.NextLayer(),
        tlsconfig.TlsConfig(),
        *default_addons(runtime),
    )
    master.options.update(**mitmproxy_options(runtime.settings))
    # Separately: when `extra` is refused, mitmproxy rolls back to the values above, and the
    # error says what was wrong with `extra` (not with the defaults it would roll back to).
    master.options.update(**(extra or {}))
    return master
