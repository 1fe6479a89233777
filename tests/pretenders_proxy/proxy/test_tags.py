from mitmproxy.test import tflow

from pretenders_proxy.model.journal import Source
from pretenders_proxy.proxy.tags import KEY, answered, is_control, session_of, source_of, tags


def test_an_untagged_flow_is_of_the_default_session_and_from_upstream() -> None:
    flow = tflow.tflow()
    assert (session_of(flow), source_of(flow), is_control(flow)) == (
        "default",
        Source.UPSTREAM,
        False,
    )


def test_tags_are_plain_values_in_the_flows_metadata() -> None:
    flow = tflow.tflow()
    tags(flow)["session"] = "alice"
    answered(flow, Source.PRESET, preset_id=3)
    assert flow.metadata[KEY] == {"session": "alice", "source": "preset", "preset_id": 3}
    assert (session_of(flow), source_of(flow)) == ("alice", Source.PRESET)
    tags(flow)["control"] = True
    assert is_control(flow)
