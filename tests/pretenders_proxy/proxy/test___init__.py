"""default_addons: the order its docstring gives reasons for."""

import pytest

from pretenders_proxy.proxy import default_addons
from pretenders_proxy.server.runtime import Runtime

BEFORE = [
    ("Recorder", "ModeControl", "configure", "the redaction is set before the cassettes load"),
    ("Responder", "UpstreamTimeout", "request", "only flows left to go upstream are timed"),
    ("Responder", "HostMapper", "request", "the decision sees the original name"),
    ("Recorder", "Journal", "response", "history keeps the 500 of an exchange not recorded"),
    ("Streams", "Recorder", "done", "open streams are recorded before the cassettes close"),
    ("Streams", "Journal", "error", "history says how a stream was cut"),
]


@pytest.mark.parametrize(("first", "then", "hook", "why"), BEFORE)
def test_addons_sharing_a_hook_come_in_the_order_it_needs(
    first: str, then: str, hook: str, why: str
) -> None:
    addons = {type(addon).__name__: addon for addon in default_addons(Runtime())}
    names = list(addons)
    assert names.index(first) < names.index(then), why
    assert hasattr(addons[first], hook) and hasattr(addons[then], hook), "the reason still holds"


def test_the_journal_comes_last_of_all_that_see_a_flow_end() -> None:
    addons = default_addons(Runtime())
    ending = [type(a).__name__ for a in addons if hasattr(a, "response") or hasattr(a, "error")]
    assert ending[-1] == "Journal"
    assert type(addons[-1]).__name__ == "Journal"


def test_the_addons_that_ask_for_a_connections_session_share_the_router() -> None:
    addons = {type(addon).__name__: addon for addon in default_addons(Runtime())}
    assert addons["Seal"].router is addons["HeadLimit"].router is addons["SessionRouter"]
