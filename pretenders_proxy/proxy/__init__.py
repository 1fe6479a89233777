"""The mitmproxy edge: the only package importing mitmproxy, one addon per concern."""

from typing import Any

from pretenders_proxy.proxy.alpn import Http2First
from pretenders_proxy.proxy.control import ControlRoute
from pretenders_proxy.proxy.journal import Journal
from pretenders_proxy.proxy.limits import HeadLimit
from pretenders_proxy.proxy.misses import MissReply
from pretenders_proxy.proxy.modes import ModeControl
from pretenders_proxy.proxy.options import Options
from pretenders_proxy.proxy.presets import Presets
from pretenders_proxy.proxy.recorder import Recorder
from pretenders_proxy.proxy.replayer import Replayer
from pretenders_proxy.proxy.services import Services
from pretenders_proxy.proxy.sessions import SessionRouter
from pretenders_proxy.proxy.timeouts import UpstreamTimeout
from pretenders_proxy.proxy.trust import Trust
from pretenders_proxy.server.runtime import Runtime


def default_addons(runtime: Runtime | None = None) -> list[Any]:
    """Our addons in hook order: find the session, answer (presets, then cassettes), decide
    on misses, record, then journal."""
    runtime = runtime or Runtime()
    return [
        Options(runtime),
        Services(runtime),
        SessionRouter(runtime),
        ControlRoute(runtime),
        Trust(),
        Http2First(),
        HeadLimit(),
        Recorder(runtime),
        ModeControl(runtime),
        Presets(runtime),
        Replayer(runtime),
        MissReply(runtime),
        UpstreamTimeout(),
        Journal(runtime),
    ]


__all__ = ["default_addons"]
