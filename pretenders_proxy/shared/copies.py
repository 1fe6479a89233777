"""What an instance keeps of the shared store: its copies of sessions, made again from what a
pull brought (pure: the replies in, the Store's objects changed; no I/O)."""

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pretenders_proxy.shared import codec
from pretenders_proxy.store.presets import PresetBook
from pretenders_proxy.store.session import Session, SessionProtocol
from pretenders_proxy.store.sessions import Store
from pretenders_proxy.store.smtp_presets import SmtpPresetBook

type Publish = Callable[[object], None]


@dataclasses.dataclass(slots=True)
class Follow:
    """How far a copy has followed a session's stream (history or mail): its generation (a
    clear starts a new one) and the id of the last item copied."""

    generation: int = -1
    last: str = "0-0"


@dataclasses.dataclass(slots=True)
class Marks:
    """How far this instance's copy of a session has followed Redis: the versions of its
    presets and mode, its history and mail, its serial (0: not copied yet)."""

    pv: int = -1
    mv: int = 0
    history: Follow = dataclasses.field(default_factory=Follow)
    mail: Follow = dataclasses.field(default_factory=Follow)
    serial: int = 0
    untimed: int = -2
    """The presets version at which the copy was seen to have no preset with `times`."""


def stream_id(value: str) -> tuple[int, int]:
    ms, _, seq = value.partition("-")
    return int(ms), int(seq or 0)


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def copy_session(store: Store, name: str, meta: dict[str, str], now: int, marks: Marks) -> Session:
    """The Store's copy of session `name` as its `meta` says (made if there is none); `now`:
    Redis's time in ms, which the session's idle time is counted from."""
    protocol = SessionProtocol(meta["protocol"])
    timeout = int(meta["timeout"]) / 1000 if meta["timeout"] else None
    session = store.sessions.get(name)
    if session is None:
        session = store.adopt(name, protocol, timeout)
    marks.serial = session.serial = int(meta["serial"])
    session.protocol, session.timeout = protocol, timeout
    session.record_history = meta.get("rh", "1") != "0"  # sessions older than the field keep it
    session.requests_seen = int(meta.get("rseen", 0))
    session.started = datetime.fromtimestamp(int(meta["started"]) / 1000).astimezone()
    seen = int(meta["seen"])
    session.last_call = datetime.fromtimestamp(seen / 1000).astimezone()
    session.last_seen = store.clock.monotonic() - (now - seen) / 1000
    return session


def copy_history(
    session: Session,
    meta: dict[str, str],
    items: list[Any],
    marks: Marks,
    publish: Publish,
    replies: Mapping[bytes, bytes],
) -> None:
    """Add the history entries pulled (`items` of the stream) that the copy lacks; `replies`:
    the responses they name (codec.Ref), pulled with them."""

    def add(fields: Sequence[bytes]) -> object:
        entry = codec.resolved(codec.loads(fields[3]), replies)._replace(id=int(fields[1]))
        session.history.add(entry, int(fields[5]))
        return entry

    if _follow(marks.history, int(meta["hg"]), items, add, session.history.clear, publish):
        session.history.dropped = int(meta["hdrop"])


def copy_mail(
    session: Session, meta: dict[str, str], items: list[Any], marks: Marks, publish: Publish
) -> None:
    """Add the mail pulled that the copy lacks."""

    def add(fields: Sequence[bytes]) -> object:
        mail = dataclasses.replace(codec.loads(fields[3]), id=int(fields[1]))
        session.inbox.add(mail)
        return mail

    if _follow(marks.mail, int(meta["mg"]), items, add, session.inbox.clear, publish):
        session.inbox.dropped = int(meta["mdrop"])


def _follow(
    follow: Follow,
    generation: int,
    items: list[Any],
    add: Callable[[Sequence[bytes]], object],
    clear: Callable[[], None],
    publish: Publish,
) -> bool:
    """Add (and publish) the `items` past what `follow` copied, starting again on a new
    generation; False when the pull is older than what was copied (another got there first)."""
    if generation < follow.generation:
        return False
    if generation > follow.generation:
        clear()
        follow.generation, follow.last = generation, "0-0"
    after = stream_id(follow.last)
    for item_id, fields in items:
        if stream_id(text(item_id)) <= after:
            continue
        publish(add(fields))
        follow.last = text(item_id)
    return True


def book[B: (PresetBook, SmtpPresetBook)](
    made: B, old: B, ids: Sequence[bytes], presets: dict[int, Any], left: dict[int, int]
) -> B:
    """`made` with the presets `ids` (in creation order), counts carried over from `old`."""
    for preset_id in sorted(int(i) for i in ids):
        preset = presets.get(preset_id)
        if preset is None:
            continue
        stored = made.add(preset_id, preset)
        stored.remaining = left.get(preset_id)
        if (before := old.get(preset_id)) is not None:
            stored.served = before.served
    return made
