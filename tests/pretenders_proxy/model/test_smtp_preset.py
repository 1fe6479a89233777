"""SMTP presets: defaults, replies and the validation that names what is wrong."""

import pytest

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.model.smtp_preset import Action, SmtpPreset


@pytest.mark.parametrize(
    ("preset", "reply"),
    [
        (SmtpPreset(), "550 5.7.1 Refused by a pretenders preset"),
        (SmtpPreset(code=553, text="5.1.3 No"), "553 5.1.3 No"),
        (
            SmtpPreset(action=Action.TEMPFAIL),
            "451 4.7.1 Refused for now by a pretenders preset, try again later",
        ),
        (
            SmtpPreset(action=Action.TEMPFAIL, code=421),
            "421 4.7.1 Refused for now by a pretenders preset, try again later",
        ),
        (SmtpPreset(action=Action.DELAY, after=1), None),
        (SmtpPreset(action=Action.DROP), None),
    ],
)
def test_reply(preset: SmtpPreset, reply: str | None) -> None:
    assert preset.reply == reply


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"code": 450}, "code 450 does not fit reject: use 500-599"),
        ({"action": Action.TEMPFAIL, "code": 554}, "code 554 does not fit tempfail: use 400-499"),
        ({"action": Action.DELAY, "text": "hi"}, "a delay preset sends no reply"),
        ({"action": Action.DROP, "code": 550}, "a drop preset sends no reply"),
        ({"recipient": "[a-"}, "invalid regex in recipient '[a-'"),
        ({"times": 0}, "times is 0; it must be greater than zero"),
        ({"after": -1.0}, "after -1.0 must be a delay in seconds"),
        ({"after": float("inf")}, "after inf must be a delay in seconds"),
        ({"text": "a\r\n250 OK"}, "text must be one line of printable characters"),
        ({"text": "   "}, "text must be one line of printable characters"),
    ],
)
def test_invalid_presets_say_why(fields: dict[str, object], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem.replace("[", r"\[")):
        SmtpPreset(**fields)  # type: ignore[arg-type]


def test_recipient_regex_ignores_case() -> None:
    assert SmtpPreset(recipient="^Bob@").recipient_re.search("bob@example.test", 1.0)
