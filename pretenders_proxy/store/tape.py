"""A session's recordings, indexed by match key, with how far each key has been played."""

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Protocol

from pretenders_proxy.matching.engine import Miss, nearest
from pretenders_proxy.matching.fields import MatchSpec
from pretenders_proxy.matching.modes import Repeat
from pretenders_proxy.matching.parts import paste_block
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.model.stream import Conversation

type Key = tuple[Hashable, ...]
"""A request's index key (MatchSpec.key)."""


class ResponseSource(Protocol):
    """Where a recording's response comes from when it is played: the cassette (one reader
    for all its recordings, indexing.ResponseReader), or memory."""

    def response_at(self, offset: int, length: int) -> Response:
        """The response of the item at `offset`; CassetteError when it cannot be read."""
        ...

    def conversation_at(self, offset: int, length: int) -> Conversation | None:
        """The WebSocket conversation of the item at `offset` (None: it has none)."""
        ...

    def aged_at(self, offset: int, length: int) -> tuple[Response, str]:
        """The response of the item at `offset` and when it was recorded (ISO, "" unknown)."""
        ...


@dataclass(frozen=True, slots=True)
class Kept:
    """A response held in memory (what was just recorded)."""

    kept: Response
    websocket: Conversation | None = None
    recorded_at: str = ""

    def response_at(self, offset: int, length: int) -> Response:
        return self.kept

    def aged_at(self, offset: int, length: int) -> tuple[Response, str]:
        return self.kept, self.recorded_at

    def conversation_at(self, offset: int, length: int) -> Conversation | None:
        return self.websocket


@dataclass(frozen=True, slots=True)
class Recorded:
    """A replayable exchange and where it is stored: cassette, position (from 1), byte offset
    and length of its item in the file.

    Only the request is held: the response is read from `source` when it is played.
    """

    cassette: str
    position: int
    offset: int
    length: int
    request: Request
    status: int
    source: ResponseSource

    @classmethod
    def of(cls, cassette: str, position: int, offset: int, exchange: Exchange) -> "Recorded":
        """A recording whose response is kept in memory (its length is not needed: 0)."""
        response = exchange.response
        request, status = exchange.request, response.status
        kept = Kept(response, exchange.websocket, exchange.meta.recorded_at)
        return cls(cassette, position, offset, 0, request, status, kept)

    def response(self) -> Response:
        """The recorded response; CassetteError when the cassette cannot give it any more."""
        return self.source.response_at(self.offset, self.length)

    def aged(self) -> tuple[Response, str]:
        """The recorded response and when it was recorded (ISO, "" unknown), in one read."""
        return self.source.aged_at(self.offset, self.length)

    def conversation(self) -> Conversation | None:
        """The recorded WebSocket conversation (read only for a 101); CassetteError as above."""
        return self.source.conversation_at(self.offset, self.length)

    @property
    def where(self) -> str:
        return f"{self.cassette} #{self.position}"


class Tape:
    """Equal requests (same key) replay their recordings in recorded order.

    Once a key's recordings are all played, `repeat` LAST keeps answering the last one and
    NEVER answers nothing (a miss).
    """

    __slots__ = ("_index", "_played", "repeat", "spec")

    def __init__(self, spec: MatchSpec | None = None, repeat: Repeat = Repeat.LAST) -> None:
        self.spec = spec or MatchSpec()
        self.repeat = repeat
        self._index: dict[Key, list[Recorded]] = {}
        self._played: dict[Key, int] = {}

    def __len__(self) -> int:
        return sum(len(group) for group in self._index.values())

    def add(self, recorded: Recorded, *, played: bool = False) -> None:
        """Index `recorded` after the others of its key; `played`: it has already answered."""
        key = self.spec.key(recorded.request)
        group = self._index.setdefault(key, [])
        group.append(recorded)
        if played:
            self._played[key] = len(group)

    def extend(self, recordings: Sequence[Recorded]) -> None:
        """Index each of `recordings` after the others of its key (none played yet): as `add`
        on each, with the keys computed all at once (a loaded cassette's)."""
        index = self._index
        keys = self.spec.keys([recorded.request for recorded in recordings])
        for key, recorded in zip(keys, recordings, strict=True):
            index.setdefault(key, []).append(recorded)

    def play(self, request: Request) -> Recorded | None:
        """The next recording for `request`, or None (a miss)."""
        key = self.spec.key(request)
        group = self._index.get(key)
        if group is None:
            return None
        played = self._played.get(key, 0)
        if played < len(group):
            self._played[key] = played + 1
            return group[played]
        return group[-1] if self.repeat is Repeat.LAST else None

    def always_the_same(self, key: Key) -> bool:
        """Whether every `play` of a request with `key` gives the same recording, however often
        it was played (its only one, repeated)."""
        group = self._index.get(key)
        return group is not None and len(group) == 1 and self.repeat is Repeat.LAST

    def seek(self, key: Key, played: int) -> None:
        """Say that the recordings of `key` have been played `played` times (by every instance
        of a shared store): the next `play` of a request with that key gives the one after."""
        self._played[key] = played

    def replace(self, where: str, recorded: Recorded) -> None:
        """Put `recorded` (a re-recording) in the place of the recording at `where` among those
        of its key, or after them all, as `add` does, when that one is not there."""
        group = self._index.get(self.spec.key(recorded.request), [])
        for position, there in enumerate(group):
            if there.where == where:
                group[position] = recorded
                return
        self.add(recorded, played=True)

    def promote(self, stale: Recorded, is_fresh: Callable[[Recorded], bool]) -> Recorded | None:
        """The first unplayed recording after `stale` among those of its key that `is_fresh`
        (a re-recording an earlier run appended), moved into its place; None if none is."""
        key = self.spec.key(stale.request)
        group = self._index.get(key, [])
        place = next((n for n, there in enumerate(group) if there is stale), None)
        if place is None:
            return None
        start = max(place + 1, self._played.get(key, 0))
        for position in range(start, len(group)):
            if is_fresh(group[position]):
                group[place] = fresh = group.pop(position)
                return fresh
        return None

    def played_out(self, request: Request) -> int:
        """How many recordings `request` matched when they have all been played, else 0."""
        key = self.spec.key(request)
        group = self._index.get(key, ())
        return len(group) if group and self._played.get(key, 0) >= len(group) else 0

    def nearest(self, request: Request) -> Miss[Recorded]:
        """The recorded request closest to `request` and how it differs (a scan: misses only).

        Candidates are ranked by how many parts of their index key differ from the request's,
        so that no recorded body is parsed again; only the closest one is explained."""
        url, key = request.url, self.spec.key(request)

        def differing(group: tuple[Key, list[Recorded]]) -> tuple[str, ...]:
            pairs = zip(self.spec.fields, group[0], key, strict=True)
            return tuple(name for name, a, b in pairs if a != b)

        def texts(group: tuple[Key, list[Recorded]]) -> tuple[str, str]:
            return url, group[1][0].request.url

        miss = nearest(list(self._index.items()), differing, texts)
        if miss.closest is None:
            return Miss(None)
        closest = miss.closest[1][0]
        return Miss(closest, self.spec.failures(closest.request, request))

    def unplayed(self) -> list[Recorded]:
        """The recordings that never answered, in cassette order."""
        left = (group[self._played.get(key, 0) :] for key, group in self._index.items())
        return sorted((r for group in left for r in group), key=lambda r: (r.cassette, r.position))


def explain_recording_miss(tape: Tape, request: Request) -> str:
    """Why no recording answered `request`: the closest one and how it differs."""
    line = f"{request.method} {request.url}"
    if count := tape.played_out(request):
        return (
            f"{line} matched {count} recording(s), all played already "
            f"(repeat: {tape.repeat}, so further ones are misses).\n"
        )
    lines = [f"No recording matched {line}."]
    miss = tape.nearest(request)
    if miss.closest is None:
        lines.append("The cassettes of this session hold no recordings.")
    else:
        recorded = miss.closest.request
        lines.append(
            f"Closest recording: {recorded.method} {recorded.url} ({miss.closest.where}), "
            "which differs in:"
        )
        lines.extend(f"  - {reason}" for reason in miss.failures)
        lines += paste_block(tape.spec.parts(recorded, request), "the recording")
    return "\n".join(lines) + "\n"
