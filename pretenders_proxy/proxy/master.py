"""A mitmproxy Master carrying only what pretenders needs: core, proxy server, TLS, ours."""

from typing import Any

from mitmproxy import options
from mitmproxy.addons import core, next_layer, proxyserver, tlsconfig
from mitmproxy.master import Master

from pretenders_proxy.cli.reverse import parse_reverse
from pretenders_proxy.options import declared
from pretenders_proxy.proxy import default_addons, internals
from pretenders_proxy.proxy.hooks import HookCache
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.settings import Settings


def mitmproxy_options(settings: Settings) -> dict[str, Any]:
    """The mitmproxy and pretenders_* option values that say what `settings` says; ConfigError
    for a bad --reverse."""
    values = {
        o.mitmproxy: o.write(getattr(settings, o.name))
        for o in declared(type(settings))
        if o.mitmproxy
    }
    return values | derived_options(settings)


def derived_options(settings: Settings) -> dict[str, Any]:
    """mitmproxy's own options that follow from several settings, or always have one value."""
    reverse = [parse_reverse(text).mode(settings.host) for text in settings.reverse]
    return {
        "listen_host": settings.host,
        "mode": ["regular", *reverse],
        # Never connect upstream before a request needs it: presets and replay stay offline.
        "connection_strategy": "lazy",
        "upstream_cert": False,
    }


def build_master(runtime: Runtime) -> Master:
    """A trimmed Master (must be called inside the running loop) configured from the runtime's
    settings; OptionsError (or ConfigError) says what is wrong with them."""
    values = mitmproxy_options(runtime.settings)
    master = Master(options.Options(), with_termlog=False)
    internals.replace_addon_manager(master, HookCache(master))
    master.addons.add(
        core.Core(),
        proxyserver.Proxyserver(),
        next_layer.NextLayer(),
        tlsconfig.TlsConfig(),
        *default_addons(runtime),
    )
    # mitmproxy's own (where it keeps its CA above all) first, then ours and the listeners:
    # when those are refused, mitmproxy rolls back to the values set first (not to its
    # defaults, such as ~/.mitmproxy), and the error says what was wrong with them.
    first = {k: v for k, v in values.items() if not k.startswith("pretenders_") and k != "mode"}
    master.options.update(**first)
    master.options.update(**{k: v for k, v in values.items() if k not in first})
    return master
