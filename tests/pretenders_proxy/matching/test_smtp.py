"""Which SMTP preset acts: a table of stages, recipients and presets."""

import pytest

from pretenders_proxy.matching.budget import Budget
from pretenders_proxy.matching.smtp import applies, first
from pretenders_proxy.model.smtp_preset import Action, SmtpPreset, Stage

EVERYONE = SmtpPreset()
BOUNCE = SmtpPreset(recipient=r"^bounce@")
AT_DATA = SmtpPreset(stage=Stage.DATA, recipient=r"@slow\.test$", action=Action.DELAY)


@pytest.mark.parametrize(
    ("preset", "stage", "recipients", "expected"),
    [
        (EVERYONE, Stage.RCPT, ["a@x.test"], True),
        (EVERYONE, Stage.DATA, ["a@x.test"], False),
        (BOUNCE, Stage.RCPT, ["bounce@x.test"], True),
        (BOUNCE, Stage.RCPT, ["BOUNCE@x.test"], True),
        (BOUNCE, Stage.RCPT, ["no-bounce@x.test"], False),
        (AT_DATA, Stage.DATA, ["a@x.test", "b@slow.test"], True),
        (AT_DATA, Stage.DATA, ["a@x.test"], False),
        (AT_DATA, Stage.RCPT, ["b@slow.test"], False),
        (EVERYONE, Stage.DATA, [], False),
    ],
)
def test_applies(preset: SmtpPreset, stage: Stage, recipients: list[str], expected: bool) -> None:
    assert applies(preset, stage, recipients) is expected


def test_first_is_in_creation_order() -> None:
    presets = [AT_DATA, BOUNCE, EVERYONE]
    assert first(presets, lambda p: p, Stage.RCPT, ["bounce@x.test"]) is BOUNCE
    assert first(presets, lambda p: p, Stage.RCPT, ["a@x.test"]) is EVERYONE
    assert first(presets[:2], lambda p: p, Stage.RCPT, ["a@x.test"]) is None


def test_a_recipient_regex_that_times_out_does_not_apply() -> None:
    # issue 15: SMTP presets' recipient regexes are bounded as rules are
    hostile = SmtpPreset(recipient="^(a|a)*@$")
    budget = Budget(0.01)
    assert first([hostile, EVERYONE], lambda p: p, Stage.RCPT, ["a" * 30 + "!@x"], budget) is (
        EVERYONE
    )
    assert budget.patterns() == [hostile.recipient_re]
