"""How a request is answered: one decision, taken alike for `/mockhttp/` and the proxy, so that
the two never disagree; they only carry the outcome out (and wait out a preset's delay). A
connection that is not HTTP gets the same decision's answer to "may it go upstream?" (`connect`)."""

from enum import StrEnum
from typing import Literal, NamedTuple, overload

from pretenders_proxy.errors import CassetteError
from pretenders_proxy.matching.budget import SECONDS
from pretenders_proxy.matching.modes import MissAction, Mode, decide
from pretenders_proxy.matching.subject import Subject
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.model.journal import Note, Source
from pretenders_proxy.model.stream import Conversation
from pretenders_proxy.store.presets import PresetFault, PresetReply, explain_miss
from pretenders_proxy.store.session import Session
from pretenders_proxy.store.tape import Tape

MISS_HEADER = (b"X-Pretenders-Miss", b"1")
ERROR_HEADER = (b"X-Pretenders-Error", b"1")
TEXT = (b"Content-Type", b"text/plain; charset=utf-8")


class Via(StrEnum):
    """Where a request came in, which says what may answer it."""

    MOCKHTTP = "mockhttp"
    """`/mockhttp/<name>/...` (a pretenders 1.4 mock): presets only, whatever the mode."""
    PROXY = "proxy"
    """The proxy: presets, then the cassettes (replay), then what the mode does with a miss."""


# The outcomes are NamedTuples rather than frozen dataclasses, quicker to make; a preset's are
# made once, when it is added (store.presets), and the others are not on the /mockhttp/ hot path.


class Replayed(NamedTuple):
    """A recording answers: its response, where it is (`<cassette> #<position>`), and the
    WebSocket conversation to play after it (a 101's)."""

    response: Response
    where: str
    websocket: Conversation | None = None

    @property
    def note(self) -> Note:
        return CASSETTE_NOTE


class Upstream(NamedTuple):
    """The request goes on to the real service; `record`: the cassette its exchange is appended
    to (None: it is only passed through)."""

    record: str | None = None

    @property
    def note(self) -> Note:
        return UPSTREAM_NOTE


class Missed(NamedTuple):
    """Nothing answers: the miss reply, naming the closest candidates and how they differ."""

    explanation: str
    response: Response

    @property
    def note(self) -> Note:
        return Note(Source.MISS, miss=self.explanation)


class Failed(NamedTuple):
    """Answering failed (a cassette that broke since it was loaded): a 500 saying so, rather than
    letting the request go upstream. `error` is what was raised, if anything."""

    problem: str
    error: Exception | None = None

    @property
    def text(self) -> str:
        return f"pretenders: {self.problem}\n"

    @property
    def response(self) -> Response:
        return Response(500, (ERROR_HEADER, TEXT), self.text.encode())

    @property
    def note(self) -> Note:
        return Note(Source.MISS, miss=self.text)


class Refused(NamedTuple):
    """A connection that is not HTTP, refused: only the upstream could answer it, and the session
    may not reach the upstream. `explanation` says what it was and why."""

    explanation: str

    @property
    def note(self) -> Note:
        return Note(Source.MISS, miss=self.explanation)


CASSETTE_NOTE, UPSTREAM_NOTE = Note(Source.CASSETTE), Note(Source.UPSTREAM)
UPSTREAM = Upstream()
"""Passed through, not recorded."""

type MockOutcome = PresetReply | PresetFault | Missed
type Outcome = PresetReply | PresetFault | Replayed | Upstream | Missed | Failed


@overload
def answer(
    session: Session,
    request: Request,
    via: Literal[Via.MOCKHTTP],
    miss_status: int,
    regex_seconds: float = ...,
) -> MockOutcome: ...
@overload
def answer(
    session: Session | None,
    request: Request,
    via: Via,
    miss_status: int,
    regex_seconds: float = ...,
) -> Outcome: ...
def answer(
    session: Session | None,
    request: Request,
    via: Via,
    miss_status: int,
    regex_seconds: float = SECONDS,
) -> Outcome:
    """What answers `request`: the first matching preset of `session` (one of its `times` used);
    through the proxy, then the next recording (replay) or what the mode does with a miss; else
    the miss reply, with status `miss_status`. Each regex of a preset may run `regex_seconds`."""
    if session is None:
        line = Subject(request).line
        return missed(f"No preset matched {line}: its session is gone.\n", miss_status)
    presets = session.presets
    # A session with no presets needs no Subject (its decoded views) unless the request misses:
    # replay through the proxy is the hot path for those.
    subject = None
    if len(presets):
        subject = Subject(request, seconds=regex_seconds)
        served = presets.take(subject)
        if served is not None:
            return served
    if via is Via.MOCKHTTP:
        # the same subject: a regex that timed out in `take` is not tried again
        subject = subject or Subject(request, seconds=regex_seconds)
        return missed(explain_miss(subject, presets.nearest(subject)), miss_status)
    playback = session.playback
    if playback.mode is Mode.REPLAY:
        replayed = _replay(playback.tape, request)
        if replayed is not None:
            return replayed
    action = decide(playback.mode, playback.config.on_miss)
    if action is MissAction.FORWARD:
        return UPSTREAM
    if action is MissAction.RECORD:
        return Upstream(playback.config.recording)
    subject = subject or Subject(request, seconds=regex_seconds)
    return missed(playback.explain(subject, presets), miss_status)


def reaches_upstream(session: Session | None) -> bool:
    """Whether anything of `session` may go to the real upstream: what its mode does with a miss
    (mock, and replay with on-miss error, never do; nor does a session that is gone)."""
    if session is None:
        return False
    playback = session.playback
    return decide(playback.mode, playback.config.on_miss) is not MissAction.MISS


def connect(session: Session | None, what: str) -> Upstream | Refused:
    """What becomes of a connection that is not HTTP (`what` names it: "raw TCP to host:22"):
    no preset or recording can answer one, so it goes upstream (passed through, never recorded)
    where the session's misses do, and is refused everywhere else."""
    if reaches_upstream(session):
        return UPSTREAM
    if session is None:
        why = "its session is gone"
    else:
        why = f"{_mode_name(session)} sends nothing upstream"
    return Refused(
        f"pretenders: {what} was refused: {why}. Presets and recordings answer HTTP(S) only; "
        "record mode, or replay with on-miss passthrough or record, passes it through "
        "(unrecorded).\n"
    )


def _mode_name(session: Session) -> str:
    playback = session.playback
    if playback.mode is Mode.REPLAY:
        return f"replay with on-miss {playback.config.on_miss}"
    return f"{playback.mode} mode"


def _replay(tape: Tape, request: Request) -> Replayed | Failed | None:
    try:
        recorded = tape.play(request)
        response = None if recorded is None else recorded.response()
        websocket = None
        if recorded is not None and response is not None and response.status == 101:
            websocket = recorded.conversation()
    except CassetteError as e:  # the cassette changed or broke since it was loaded
        return Failed(f"replaying this request failed: {e}", e)
    except Exception as e:  # a failure must not let the request go upstream: fail closed
        return Failed(f"replaying this request failed: {e!r}", e)
    if recorded is None or response is None:
        return None
    return Replayed(response, recorded.where, websocket)


def missed(explanation: str, status: int) -> Missed:
    """The miss reply: `status`, a marker header and the explanation."""
    return Missed(explanation, Response(status, (MISS_HEADER, TEXT), explanation.encode()))
