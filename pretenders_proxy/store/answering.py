"""How a request is answered: one decision, taken alike for `/mockhttp/` and the proxy, so that
the two never disagree; they only carry the outcome out (and wait out a preset's delay). A
connection that is not HTTP gets the same decision's answer to "may it go upstream?" (`connect`)."""

import logging
import time
from enum import StrEnum
from typing import Literal, NamedTuple, overload

from pretenders_proxy.errors import CassetteError
from pretenders_proxy.matching.budget import SECONDS
from pretenders_proxy.matching.modes import MissAction, Mode, OnStale, decide
from pretenders_proxy.matching.subject import Subject
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.model.journal import Note, Source
from pretenders_proxy.model.stream import Conversation
from pretenders_proxy.store import staleness
from pretenders_proxy.store.playback import Playback
from pretenders_proxy.store.presets import PresetFault, PresetReply, explain_miss
from pretenders_proxy.store.session import Session
from pretenders_proxy.store.tape import Recorded

MISS_HEADER = (b"X-Pretenders-Miss", b"1")
ERROR_HEADER = (b"X-Pretenders-Error", b"1")
TEXT = (b"Content-Type", b"text/plain; charset=utf-8")
logger = logging.getLogger(__name__)


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
    WebSocket conversation to play after it (a 101's); `stale`: it is older than max-age."""

    response: Response
    where: str
    websocket: Conversation | None = None
    stale: str | None = None

    @property
    def note(self) -> Note:
        return CASSETTE_NOTE if self.stale is None else Note(Source.CASSETTE, stale=self.stale)


class Upstream(NamedTuple):
    """The request goes on to the real service; `record`: the cassette its exchange is appended
    to (None: it is only passed through); `replaces`: the stale recording (`<cassette>
    #<position>`) the new one takes the place of, and `stale` how old that one was."""

    record: str | None = None
    replaces: str | None = None
    stale: str | None = None

    @property
    def note(self) -> Note:
        return UPSTREAM_NOTE if self.stale is None else Note(Source.UPSTREAM, stale=self.stale)


class Missed(NamedTuple):
    """Nothing answers: the miss reply, naming the closest candidates and how they differ (or
    the stale recording refused, `stale` saying how old it was)."""

    explanation: str
    response: Response
    stale: str | None = None

    @property
    def note(self) -> Note:
        return Note(Source.MISS, miss=self.explanation, stale=self.stale)


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


def unavailable(problem: str) -> Response:
    """The 503 of a request nothing can decide on: the shared store is unreachable."""
    return Response(503, (ERROR_HEADER, TEXT), f"pretenders: {problem}\n".encode())


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
    *,
    memo: bool = ...,
) -> MockOutcome: ...
@overload
def answer(
    session: Session | None,
    request: Request,
    via: Via,
    miss_status: int,
    regex_seconds: float = ...,
    *,
    memo: bool = ...,
) -> Outcome: ...
def answer(
    session: Session | None,
    request: Request,
    via: Via,
    miss_status: int,
    regex_seconds: float = SECONDS,
    *,
    memo: bool = False,
) -> Outcome:
    """What answers `request`: the first matching preset of `session` (one of its `times` used);
    through the proxy, then the next recording (replay) or what the mode does with a miss; else
    the miss reply, with status `miss_status`. Each regex of a preset may run `regex_seconds`.
    `memo`: `request` is the one object of its bytes (PresetBook.take)."""
    if session is None:
        line = Subject(request).line
        return missed(f"No preset matched {line}: its session is gone.\n", miss_status)
    subject, served = from_presets(session, request, regex_seconds, memo=memo)
    if served is not None:
        return served
    return after_presets(session, request, via, miss_status, regex_seconds, subject)


def from_presets(
    session: Session, request: Request, regex_seconds: float = SECONDS, *, memo: bool = False
) -> tuple[Subject | None, PresetReply | PresetFault | None]:
    """The first matching preset's answer (one of its `times` used), or None; with the Subject
    made for matching, None when the session has no presets (the replay hot path needs none
    unless the request misses)."""
    if not len(session.presets):
        return None, None
    subject = Subject(request, seconds=regex_seconds)
    return subject, session.presets.take(subject, memo=memo)


def after_presets(
    session: Session,
    request: Request,
    via: Via,
    miss_status: int,
    regex_seconds: float = SECONDS,
    subject: Subject | None = None,
) -> Outcome:
    """What answers a request no preset of `session` matched (`subject`: the one they tried, if
    any): through the proxy, the next recording or what the mode does with a miss; else the
    miss reply."""
    presets = session.presets
    if via is Via.MOCKHTTP:
        # the same subject: a regex that timed out in `take` is not tried again
        subject = subject or Subject(request, seconds=regex_seconds)
        return missed(explain_miss(subject, presets.nearest(subject)), miss_status)
    playback = session.playback
    if playback.mode is Mode.REPLAY:
        replayed = _replay(playback, request, miss_status)
        if replayed is not None:
            return replayed
    action = decide(playback.mode, playback.config.on_miss)
    if action is MissAction.FORWARD:
        return UPSTREAM
    if action is MissAction.RECORD:
        return Upstream(playback.config.recording)
    subject = subject or Subject(request, seconds=regex_seconds)
    return missed(playback.explain(subject, presets), miss_status)


def journaled(outcome: MockOutcome, started: float) -> tuple[Response | None, float]:
    """What history keeps of a mock's answer: the response (None for a fault) and how long it
    took in ms (a miss: since `started`, a perf_counter time; a preset: its delay). A preset's
    answer is journaled on arrival, before its delay: a client that gives up still shows."""
    if isinstance(outcome, Missed):
        return outcome.response, (time.perf_counter() - started) * 1000
    response = outcome.response if isinstance(outcome, PresetReply) else None
    return response, outcome.after * 1000


def reaches_upstream(session: Session | None) -> bool:
    """Whether anything of `session` may go to the real upstream: what its mode does with a miss
    (mock, and replay with on-miss error, never do; nor does a session that is gone)."""
    if session is None:
        return False
    config = session.playback.config
    return decide(config.mode, config.on_miss) is not MissAction.MISS or config.rerecords


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


def _replay(playback: Playback, request: Request, miss_status: int) -> Outcome | None:
    try:
        recorded = playback.tape.play(request)
        if recorded is None:
            return None
        if playback.config.max_age is not None:
            return aged(playback, recorded, miss_status)
        return replayed(recorded, recorded.response())
    except CassetteError as e:  # the cassette changed or broke since it was loaded
        return Failed(f"replaying this request failed: {e}", e)
    except Exception as e:  # a failure must not let the request go upstream: fail closed
        return Failed(f"replaying this request failed: {e!r}", e)


def aged(playback: Playback, recorded: Recorded, miss_status: int) -> Outcome:
    """What answers with `recorded` under the session's max-age: itself while it is fresh (or
    has no recorded_at); once it is stale, itself with a warning (logged once per recording),
    the miss reply, or the upstream, whose answer is recorded in its place (--on-stale) unless
    a fresh re-recording of it already follows in the cassettes (an earlier run's)."""
    config, now = playback.config, time.time()
    response, recorded_at = recorded.aged()
    found = staleness.stale(recorded_at, config.max_age, now)
    if found is None:
        return replayed(recorded, response)
    line, where = f"{recorded.request.method} {recorded.request.url}", recorded.where
    if config.on_stale is OnStale.WARN:
        if where not in playback.warned:
            playback.warned.add(where)
            logger.warning("stale recording played for %s (%s): %s", line, where, found.text)
        return replayed(recorded, response, found.text)
    if config.on_stale is OnStale.FAIL:
        explanation = (
            f"The recording of {line} ({where}) is stale: {found.text}. on-stale fail refuses "
            "it: record it again, or replay with on-stale warn or record.\n"
        )
        return missed(explanation, miss_status, found.text)

    def is_fresh(candidate: Recorded) -> bool:  # a re-recording is dated: an undated one is not
        recorded_at = candidate.aged()[1]
        dated = staleness.recorded_time(recorded_at) is not None
        return dated and staleness.stale(recorded_at, config.max_age, now) is None

    fresh = playback.tape.promote(recorded, is_fresh)
    if fresh is not None:
        return replayed(fresh, fresh.response())
    return Upstream(config.recording, where, found.text)


def replayed(recorded: Recorded, response: Response, stale: str | None = None) -> Replayed:
    """`recorded` answers with `response` (and its WebSocket conversation, for a 101)."""
    websocket = recorded.conversation() if response.status == 101 else None
    return Replayed(response, recorded.where, websocket, stale)


def missed(explanation: str, status: int, stale: str | None = None) -> Missed:
    """The miss reply: `status`, a marker header and the explanation."""
    response = Response(status, (MISS_HEADER, TEXT), explanation.encode())
    return Missed(explanation, response, stale)
