"""A session's presets: kept in creation order, indexed by rule prefix, used up by `times`."""

from collections.abc import Iterator

from pretenders_proxy.matching.engine import Miss, first_match, nearest_rule
from pretenders_proxy.matching.index import PrefixIndex
from pretenders_proxy.matching.subject import Subject
from pretenders_proxy.model.preset import Preset, Rule
from pretenders_proxy.store.countdown import Stored

type StoredPreset = Stored[Preset]


def _rule_of(stored: StoredPreset) -> Rule:
    return stored.preset.rule


class PresetBook:
    """Presets tried in creation order; the first match serves and counts down."""

    __slots__ = ("_index", "_items")

    def __init__(self) -> None:
        self._items: dict[int, StoredPreset] = {}
        self._index: PrefixIndex[StoredPreset] = PrefixIndex()

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[StoredPreset]:
        return iter(list(self._items.values()))

    def add(self, preset_id: int, preset: Preset) -> StoredPreset:
        stored = Stored(preset_id, preset, preset.times)
        self._items[preset_id] = stored
        self._index.add(preset_id, preset.rule.rule, stored)
        return stored

    def get(self, preset_id: int) -> StoredPreset | None:
        return self._items.get(preset_id)

    def remove(self, preset_id: int) -> bool:
        if self._items.pop(preset_id, None) is None:
            return False
        self._index.remove(preset_id)
        return True

    def clear(self) -> None:
        self._items.clear()
        self._index = PrefixIndex()

    def take(self, subject: Subject) -> StoredPreset | None:
        """The first preset matching `subject`, with one of its `times` used up; None: a miss."""
        found = first_match(self._index.candidates(subject.line), _rule_of, subject)
        if found is None:
            return None
        if found.use():
            self.remove(found.id)
        return found

    def nearest(self, subject: Subject) -> Miss[StoredPreset]:
        """The preset that came closest to matching `subject`, and how it differs."""
        return nearest_rule(list(self._items.values()), lambda p: (p.preset.rule, subject))


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
    return "\n".join(lines) + "\n"
