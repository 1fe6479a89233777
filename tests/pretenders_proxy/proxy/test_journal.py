"""Every proxied exchange goes into its session's history once it ends, answered or failed."""

from mitmproxy import flow as mitm_flow
from mitmproxy.test import taddons, tflow

from pretenders_proxy.model.journal import REPLY_PREVIEW, Note, Source
from pretenders_proxy.proxy.capture import Capture, attach
from pretenders_proxy.proxy.journal import Journal
from pretenders_proxy.proxy.tags import note, tags
from pretenders_proxy.server.runtime import Runtime


def test_an_answered_flow_is_kept_with_its_response_and_source() -> None:
    runtime = Runtime()
    journal = Journal(runtime)
    flow = tflow.tflow(resp=True)
    note(flow, Note(Source.PRESET, 4))
    with taddons.context(journal):
        journal.response(flow)
    (entry,) = runtime.store.get("default").history
    assert (entry.source, entry.preset_id, entry.error) == (Source.PRESET, 4, None)
    assert entry.response is not None and entry.response.status == 200
    assert entry.request.path == b"/path"


def test_a_failed_flow_is_kept_with_its_error_and_a_fault_says_so() -> None:
    runtime = Runtime()
    journal = Journal(runtime)
    broken = tflow.tflow(err=True)
    killed = tflow.tflow()
    killed.error = mitm_flow.Error("connection killed")
    note(killed, Note(Source.PRESET, 1))
    tags(killed)["fault"] = "reset"
    with taddons.context(journal):
        journal.error(broken)
        journal.error(killed)
    first, second = runtime.store.get("default").history
    assert (first.response, first.error) == (None, "error")
    assert second.error == "fault: reset"


def test_control_calls_and_flows_of_unknown_sessions_are_not_kept() -> None:
    runtime = Runtime()
    journal = Journal(runtime)
    control = tflow.tflow(resp=True)
    tags(control)["control"] = True
    stranger = tflow.tflow(resp=True)
    tags(stranger)["session"] = "nobody"
    with taddons.context(journal):
        journal.response(control)
        journal.response(stranger)
    assert len(runtime.store.get("default").history) == 0


def test_a_streamed_flow_is_kept_with_the_start_of_its_body_and_its_whole_size() -> None:
    runtime = Runtime()
    journal = Journal(runtime)
    whole, cut = tflow.tflow(resp=True), tflow.tflow(resp=True)
    for flow in (whole, cut):
        assert flow.response is not None
        flow.response.content = None  # mitmproxy keeps no streamed body
        capture = Capture(REPLY_PREVIEW, started=0.0, over=None)
        attach(flow, capture)
        capture.add(b"x" * (REPLY_PREVIEW + 10), 0.1)
    cut.error = mitm_flow.Error("Client disconnected.")
    with taddons.context(journal):
        journal.response(whole)
        journal.error(cut)
    for entry in runtime.store.get("default").history:
        assert entry.response is not None and entry.response.body == b"x" * REPLY_PREVIEW
        assert entry.response_size == REPLY_PREVIEW + 10 and entry.truncated
        assert entry.response.chunks == ()
    assert [entry.error for entry in runtime.store.get("default").history] == [
        None,
        "Client disconnected.",
    ]
