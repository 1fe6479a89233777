"""Which SMTP preset acts on a command: pure functions, tried in creation order."""

from collections.abc import Callable, Iterable, Sequence

from pretenders_proxy.matching.budget import Budget
from pretenders_proxy.model.smtp_preset import SmtpPreset, Stage


def applies(
    preset: SmtpPreset, stage: Stage, recipients: Sequence[str], budget: Budget | None = None
) -> bool:
    """True when `preset` acts at `stage` on one of `recipients` (RCPT: the one being added);
    a recipient its regex times out on (`budget`) is one it does not act on."""
    if preset.stage is not stage:
        return False
    budget = Budget() if budget is None else budget
    return any(budget.search(preset.recipient_re, r) for r in recipients)


def first[T](
    candidates: Iterable[T],
    preset_of: Callable[[T], SmtpPreset],
    stage: Stage,
    recipients: Sequence[str],
    budget: Budget | None = None,
) -> T | None:
    """The first candidate whose preset applies, or None: the command goes on normally."""
    budget = Budget() if budget is None else budget
    return next((c for c in candidates if applies(preset_of(c), stage, recipients, budget)), None)
