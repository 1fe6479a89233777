"""A session's SMTP presets: kept in creation order, used up by `times`."""

import logging
from collections.abc import Iterator, Sequence

from pretenders_proxy.matching.budget import Budget
from pretenders_proxy.matching.smtp import first
from pretenders_proxy.model.smtp_preset import SmtpPreset, Stage
from pretenders_proxy.store.countdown import Stored

type StoredSmtpPreset = Stored[SmtpPreset]

logger = logging.getLogger(__name__)


def _preset_of(stored: StoredSmtpPreset) -> SmtpPreset:
    return stored.preset


class SmtpPresetBook:
    """SMTP presets tried in creation order; the first that applies acts and counts down."""

    __slots__ = ("_items", "_timed_out")

    def __init__(self) -> None:
        self._items: dict[int, StoredSmtpPreset] = {}
        self._timed_out: set[int] = set()
        """The presets whose recipient regex timing out was logged (once each)."""

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
        self._timed_out.discard(preset_id)
        return self._items.pop(preset_id, None) is not None

    def clear(self) -> None:
        self._items.clear()
        self._timed_out.clear()

    def take(
        self, stage: Stage, recipients: Sequence[str], budget: Budget | None = None
    ) -> StoredSmtpPreset | None:
        """The preset acting at `stage` on `recipients`, with one of its `times` used up; a
        recipient regex may run as long as `budget` says."""
        budget = Budget() if budget is None else budget
        found = first(self._items.values(), _preset_of, stage, recipients, budget)
        if budget.ran_out:
            self._report(budget)
        if found is None:
            return None
        if found.use():
            self.remove(found.id)
        return found

    def _report(self, budget: Budget) -> None:
        """Log each preset whose recipient regex ran out of time, once."""
        patterns = budget.patterns()
        for stored in self._items.values():
            if stored.id not in self._timed_out and stored.preset.recipient_re in patterns:
                self._timed_out.add(stored.id)
                logger.warning(
                    "SMTP preset %d (recipient %r) timed out: its regex ran over %g ms on a "
                    "recipient and counts as no match (said once per preset)",
                    stored.id,
                    stored.preset.recipient,
                    budget.seconds * 1000,
                )
