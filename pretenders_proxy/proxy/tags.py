"""What our addons note on a flow, and read back: `Tags`, kept in `flow.metadata["pretenders"]`.

A TypedDict is a plain dict at run time, holding plain values (str, int, bool), so mitmproxy can
still save the flow (`mitmdump -w` writes metadata as tnetstrings, which take nothing else).
"""

from typing import TypedDict, cast

from mitmproxy import http

from pretenders_proxy.model.journal import Note, Source
from pretenders_proxy.store.sessions import DEFAULT_SESSION

KEY = "pretenders"


class Tags(TypedDict, total=False):
    """Each key is written by one addon (or the decision it carries out) and read by others."""

    session: str
    """The name of the flow's session (SessionRouter); absent: `default`."""
    control: bool
    """A call to our own control API (ControlRoute), passed on untouched."""
    source: str
    """Who answered (a `Source` value: preset, cassette, upstream, miss). Absent, the decision
    never saw the flow: `error` when it broke off (mitmproxy refused it), else upstream."""
    preset_id: int
    """The preset that answered."""
    cassette: str
    """The recording that answered (`<cassette> #<position>`)."""
    miss: str
    """The miss reply's explanation (or what failed, when pretenders failed closed)."""
    record: str
    """The cassette the exchange with the upstream is appended to (Recorder)."""
    replaces: str
    """The stale recording (`<cassette> #<position>`) the recorded exchange takes the place of
    in the session's tape (--on-stale record)."""
    stale: str
    """The recording that matched is older than the session's max-age: how old."""
    fault: str
    """Why the exchange was broken off: a preset's fault, or the upstream timing out."""


def tags(flow: http.HTTPFlow) -> Tags:
    return cast(Tags, flow.metadata.setdefault(KEY, {}))


def session_of(flow: http.HTTPFlow) -> str:
    return tags(flow).get("session", DEFAULT_SESSION)


def source_of(flow: http.HTTPFlow) -> Source:
    noted = tags(flow).get("source")
    if noted is not None:
        return Source(noted)
    return Source.UPSTREAM if flow.error is None else Source.ERROR


def note(flow: http.HTTPFlow, noted: Note) -> None:
    """Note who answered the flow (and the preset or the miss explanation), for the Journal."""
    found = tags(flow)
    found["source"] = str(noted.source)
    if noted.preset_id is not None:
        found["preset_id"] = noted.preset_id
    if noted.miss is not None:
        found["miss"] = noted.miss
    if noted.stale is not None:
        found["stale"] = noted.stale


def note_of(flow: http.HTTPFlow, error: str | None) -> Note:
    """What the flow's tags say of how it was answered, with `error` (what broke it off)."""
    found = tags(flow)
    return Note(
        source_of(flow), found.get("preset_id"), found.get("miss"), error, found.get("stale")
    )


def is_control(flow: http.HTTPFlow) -> bool:
    """The flow is a call to our own control API, which passes through untouched."""
    return tags(flow).get("control", False)


def is_settled(flow: http.HTTPFlow) -> bool:
    """Nothing is left for a request hook to do: the flow has a response or an error already
    (an addon before answered it), or it is a control call (passed on untouched)."""
    return flow.response is not None or flow.error is not None or is_control(flow)
