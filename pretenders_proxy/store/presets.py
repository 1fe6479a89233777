"""A session's presets: kept in creation order, indexed by rule prefix, used up by `times`."""

import logging
from collections.abc import Callable, Iterator
from typing import NamedTuple

from pretenders_proxy.matching.budget import Budget
from pretenders_proxy.matching.engine import Miss, is_match, nearest_rule
from pretenders_proxy.matching.index import PrefixIndex
from pretenders_proxy.matching.parts import paste_block, rule_lines
from pretenders_proxy.matching.subject import Subject
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.model.journal import Note, Source
from pretenders_proxy.model.preset import Fault, Preset, Reply, Rule, WsScript
from pretenders_proxy.store.countdown import Stored
from pretenders_proxy.store.memo import Memo

type StoredPreset = Stored[Preset]

logger = logging.getLogger(__name__)


class PresetReply(NamedTuple):
    """Preset `preset_id` answers with `response`, `after` seconds late; `note`: for history."""

    preset_id: int
    response: Response
    after: float
    note: Note
    websocket: WsScript | None = None
    """The WebSocket conversation the 101 opens, played offline."""


class PresetFault(NamedTuple):
    """Preset `preset_id` breaks the connection (`fault`) instead, `after` seconds late."""

    preset_id: int
    fault: Fault
    after: float
    note: Note


type Served = PresetReply | PresetFault


def served_by(preset_id: int, reply: Reply) -> Served:
    """What preset `preset_id` answers with. Made once, when the preset is added: serving it
    makes no object at all (the /mockhttp/ hot path)."""
    if reply.fault is None:
        note = Note(Source.PRESET, preset_id)
        return PresetReply(preset_id, reply.response, reply.after, note, reply.websocket)
    error = f"fault: {reply.fault}"
    return PresetFault(
        preset_id, reply.fault, reply.after, Note(Source.PRESET, preset_id, None, error)
    )


type _Quick = Callable[[str], object] | None
type _Indexed = tuple[StoredPreset, Served, _Quick]


def _quick(rule: Rule) -> _Quick:
    """The regex match deciding alone whether `rule` matches (a rule with no other part, and a
    regex `re` runs without a budget), else None: every matcher is asked (engine.is_match)."""
    return rule.rule_re.quick if rule.checks == ("rule",) else None


class PresetBook:
    """Presets tried in creation order; the first match serves and counts down."""

    __slots__ = ("_index", "_items", "_memo", "_timed_out")

    def __init__(self) -> None:
        self._items: dict[int, StoredPreset] = {}
        self._index: PrefixIndex[_Indexed] = PrefixIndex()
        self._timed_out: set[int] = set()
        """The presets whose regex timing out was logged (once each)."""
        self._memo: Memo[Preset, Served] = Memo()

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[StoredPreset]:
        return iter(list(self._items.values()))

    def add(self, preset_id: int, preset: Preset) -> StoredPreset:
        stored = Stored(preset_id, preset, preset.times)
        self._items[preset_id] = stored
        indexed = (stored, served_by(preset_id, preset.reply), _quick(preset.rule))
        self._index.add(preset_id, preset.rule.rule, indexed)
        self._memo.forget()
        return stored

    def get(self, preset_id: int) -> StoredPreset | None:
        return self._items.get(preset_id)

    def remove(self, preset_id: int) -> bool:
        if self._items.pop(preset_id, None) is None:
            return False
        self._index.remove(preset_id)
        self._timed_out.discard(preset_id)
        self._memo.forget()
        return True

    def clear(self) -> None:
        self._items.clear()
        self._index = PrefixIndex()
        self._timed_out.clear()
        self._memo.forget()

    def take(self, subject: Subject, *, memo: bool = False) -> Served | None:
        """What the first preset matching `subject` answers, with one of its `times` used up;
        None: a miss. `memo`: the request is one object for every request of its bytes (the
        fast lane's head cache): a FOREVER preset's plain reply to it is remembered (`recall`)."""
        found = self._first(subject)
        if subject.timed_out:
            self._report(subject.budget)
        if found is None:
            return None
        stored, served, _ = found
        if stored.use():
            self.remove(stored.id)
        elif memo and _plain(served) and not subject.timed_out:  # a regex timing out may not
            self._memo.keep(subject.request, stored, served)  # next time
        return served

    def recall(self, request: Request) -> Served | None:
        """What `take(Subject(request), memo=True)` would answer, counted as served, if it was
        remembered since the presets last changed; else None (then ask `take`)."""
        return self._memo.recall(request)

    def _first(self, subject: Subject) -> _Indexed | None:
        """engine.first_match over the index's candidates, with the usual rule (a plain regex
        on the request line, nothing else) matched at once: the /mockhttp/ hot path."""
        line = subject.line
        for candidate in self._index.candidates(line):
            quick = candidate[2]
            if quick is not None:
                if quick(line) is not None:
                    return candidate
            elif is_match(candidate[0].preset.rule, subject):
                return candidate
        return None

    def nearest(self, subject: Subject) -> Miss[StoredPreset]:
        """The preset that came closest to matching `subject`, and how it differs."""
        miss = nearest_rule(list(self._items.values()), lambda p: (p.preset.rule, subject))
        if subject.timed_out:
            self._report(subject.budget)
        return miss

    def _report(self, budget: Budget) -> None:
        """Log each preset whose regex ran out of time, once: a rule that backtracks for ever
        is tried (and times out) on every request, and the log must not fill with it."""
        patterns = budget.patterns()
        for stored in self._items.values():
            if stored.id not in self._timed_out and stored.preset.rule.uses(patterns):
                self._timed_out.add(stored.id)
                logger.warning(
                    "preset %d (%s) timed out: a regex of it ran over %g ms on a request and "
                    "counts as no match (said once per preset)",
                    stored.id,
                    stored.preset.rule.describe(),
                    budget.seconds * 1000,
                )


def _plain(served: Served) -> bool:
    """A reply the fast lane writes at once (no fault, no delay): what the memo keeps."""
    return type(served) is PresetReply and not served.after and served.websocket is None


def explain_miss(subject: Subject, miss: Miss[StoredPreset]) -> str:
    """The near-miss text of a miss reply: the request, the closest preset and how it differs."""
    request = subject.request
    where = f" (host {request.host})" if request.host else ""
    lines = [f"No preset matched {subject.line}{where}."]
    if miss.closest is None:
        lines.append("There are no presets in this session.")
        return "\n".join(lines) + "\n"
    rule = miss.closest.preset.rule
    lines.append(f"Closest: preset {miss.closest.id} ({rule.describe()}), which differs in:")
    lines.extend(f"  - {reason}" for reason in miss.failures)
    lines += paste_block(rule_lines(rule, subject), "the preset", "")
    return "\n".join(lines) + "\n"
