"""A session's SMTP presets: kept in creation order, used up by `times`."""

from collections.abc import Iterator, Sequence

from pretenders_proxy.matching.smtp import first
from pretenders_proxy.model.smtp_preset import SmtpPreset, Stage
from pretenders_proxy.store.countdown import Stored

type StoredSmtpPreset = Stored[SmtpPreset]


def _preset_of(stored: StoredSmtpPreset) -> SmtpPreset:
    return stored.preset


class SmtpPresetBook:
    """SMTP presets tried in creation order; the first that applies acts and counts down."""

    __slots__ = ("_items",)

    def __init__(self) -> None:
        self._items: dict[int, StoredSmtpPreset] = {}

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[StoredSmtpPreset]:
        return iter(list(self._items.values()))

    def add(self, preset_id: int, preset: SmtpPreset) -> StoredSmtpPreset:
        stored = Stored(preset_id, preset, preset.times)
        self._items[preset_id] = stored
        return stored

    def get(self, preset_id: int) -> StoredSmtpPreset | None:
        return self._items.get(preset_id)

    def remove(self, preset_id: int) -> bool:
        return self._items.pop(preset_id, None) is not None

    def clear(self) -> None:
        self._items.clear()

    def take(self, stage: Stage, recipients: Sequence[str]) -> StoredSmtpPreset | None:
        """The preset acting at `stage` on `recipients`, with one of its `times` used up."""
        found = first(self._items.values(), _preset_of, stage, recipients)
        if found is None:
            return None
        if found.use():
            self.remove(found.id)
        return found
