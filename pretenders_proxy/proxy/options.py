"""The addon that declares every `pretenders_*` option (from the fields of Settings) and turns
the options into `runtime.settings` whenever they change."""

from collections.abc import Sequence
from typing import Any

from mitmproxy import ctx, exceptions
from mitmproxy.addonmanager import Loader

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.options import Option, declared
from pretenders_proxy.server.runtime import Runtime

OURS = "pretenders_"
"""The prefix of the options declared here; the others are mitmproxy's own."""


class Options:
    """Declares the options once; on every change parses them into `runtime.settings`.

    Other addons read the option values they act on (ModeControl, Recorder, Trust, ...).
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.declared = declared(type(runtime.settings))
        self.read = {o.mitmproxy for o in self.declared if o.mitmproxy}

    def load(self, loader: Loader) -> None:
        for o in self.declared:
            if o.mitmproxy and o.mitmproxy.startswith(OURS):
                loader.add_option(o.mitmproxy, _kind(o), o.write(o.default), o.help, o.choices)

    def configure(self, updated: set[str]) -> None:
        if updated & self.read:
            # mitmproxy's own options exist only with their addon (body_size_limit: proxyserver)
            values = {name: getattr(ctx.options, name) for name in self.read if name in ctx.options}
            try:
                settings = type(self.runtime.settings).from_options(values, self.runtime.settings)
            except (ConfigError, ValueError) as e:
                raise exceptions.OptionsError(f"pretenders: {e}") from e
            self.runtime.apply(settings)


def _kind(o: Option) -> Any:
    """The mitmproxy type of an option: numbers and switches as they are, the rest as text."""
    if o.many:
        return Sequence[str]
    if o.text is None and not o.optional and o.kind in (bool, int, float, str):
        return o.kind
    return str
