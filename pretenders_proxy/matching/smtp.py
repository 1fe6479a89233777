"""Which SMTP preset acts on a command: pure functions, tried in creation order."""

from collections.abc import Callable, Iterable, Sequence

from pretenders_proxy.model.smtp_preset import SmtpPreset, Stage


def applies(preset: SmtpPreset, stage: Stage, recipients: Sequence[str]) -> bool:
    """True when `preset` acts at `stage` on one of `recipients` (RCPT: the one being added)."""
    return preset.stage is stage and any(preset.recipient_re.search(r) for r in recipients)


def first[T](
    candidates: Iterable[T],
    preset_of: Callable[[T], SmtpPreset],
    stage: Stage,
    recipients: Sequence[str],
) -> T | None:
    """The first candidate whose preset applies, or None: the command goes on normally."""
    return next((c for c in candidates if applies(preset_of(c), stage, recipients)), None)
