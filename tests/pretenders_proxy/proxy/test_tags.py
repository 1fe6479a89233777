"""Tags: what the addons note on a flow is kept as plain values, which mitmproxy saves."""

import io

import pytest
from mitmproxy import io as mitm_io
from mitmproxy.test import tflow

from pretenders_proxy.model.journal import Note, Source
from pretenders_proxy.proxy.tags import (
    Tags,
    is_control,
    is_settled,
    note,
    note_of,
    session_of,
    source_of,
    tags,
)


def test_an_untagged_flow_is_upstream_traffic_of_the_default_session() -> None:
    flow = tflow.tflow()
    assert (session_of(flow), source_of(flow), is_control(flow)) == ("default", "upstream", False)
    assert note_of(flow, None) == Note(Source.UPSTREAM)


def test_an_untagged_flow_that_broke_off_never_reached_the_decision() -> None:
    flow = tflow.tflow(err=True)  # e.g. refused by mitmproxy (request smuggling headers)
    assert source_of(flow) is Source.ERROR
    assert note_of(flow, "refused") == Note(Source.ERROR, error="refused")
    note(flow, Note(Source.UPSTREAM))  # went upstream, then broke off
    assert source_of(flow) is Source.UPSTREAM


def test_a_note_is_kept_as_plain_values_and_read_back() -> None:
    flow = tflow.tflow()
    note(flow, Note(Source.PRESET, 7, error="fault: reset"))
    assert tags(flow) == {"source": "preset", "preset_id": 7}
    assert type(tags(flow)["source"]) is str
    assert note_of(flow, "fault: reset") == Note(Source.PRESET, 7, error="fault: reset")
    note(flow, Note(Source.MISS, miss="why"))
    assert note_of(flow, None) == Note(Source.MISS, 7, "why")
    note(flow, Note(Source.CASSETTE, stale="recorded 2026-01-02, 45 days ago"))
    assert note_of(flow, None).stale == "recorded 2026-01-02, 45 days ago"


def test_every_tag_survives_mitmproxy_saving_the_flow() -> None:
    every: Tags = {
        "session": "s",
        "control": False,
        "source": "cassette",
        "preset_id": 3,
        "cassette": "c.cassette #2",
        "miss": "why",
        "record": "r.cassette",
        "replaces": "r.cassette #1",
        "stale": "recorded 2026-01-02T03:04:05+00:00, 45 days ago, older than max-age 30d",
        "fault": "reset",
    }
    flow = tflow.tflow(resp=True)
    assert set(every) == set(Tags.__annotations__)
    tags(flow).update(every)
    saved = io.BytesIO()
    mitm_io.FlowWriter(saved).add(flow)  # what `mitmdump -w` does
    (loaded,) = mitm_io.FlowReader(io.BytesIO(saved.getvalue())).stream()
    assert tags(loaded) == every  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("response", "error", "control", "settled"),
    [
        (False, False, False, False),
        (True, False, False, True),
        (False, True, False, True),
        (False, False, True, True),
    ],
)
def test_a_flow_is_settled_once_answered_or_when_it_is_a_control_call(
    response: bool, error: bool, control: bool, settled: bool
) -> None:
    flow = tflow.tflow(resp=response, err=error)
    if control:
        tags(flow)["control"] = True
    assert is_settled(flow) is settled
