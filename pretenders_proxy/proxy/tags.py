"""What our addons note on a flow (in `flow.metadata["pretenders"]`, plain values only,
so that mitmproxy can still save the flow)."""

from typing import Any

from mitmproxy import http

from pretenders_proxy.model.journal import Source
from pretenders_proxy.store.sessions import DEFAULT_SESSION

KEY = "pretenders"


def tags(flow: http.HTTPFlow) -> dict[str, Any]:
    found: dict[str, Any] = flow.metadata.setdefault(KEY, {})
    return found


def session_of(flow: http.HTTPFlow) -> str:
    return str(tags(flow).get("session", DEFAULT_SESSION))


def source_of(flow: http.HTTPFlow) -> Source:
    return Source(tags(flow).get("source", Source.UPSTREAM))


def answered(flow: http.HTTPFlow, source: Source, **details: Any) -> None:
    """Note that `source` answered the flow (and how)."""
    tags(flow).update(source=str(source), **details)


def is_control(flow: http.HTTPFlow) -> bool:
    """The flow is a call to our own control API, which passes through untouched."""
    return bool(tags(flow).get("control"))
