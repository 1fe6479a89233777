import pytest

from pretenders_proxy.api.mail_schemas import SmtpPresetIn
from pretenders_proxy.errors import ConfigError
from pretenders_proxy.model.smtp_preset import Action, Stage


def test_an_smtp_preset_rejects_every_recipient_forever_by_default() -> None:
    made = SmtpPresetIn.model_validate({}).to_preset()
    assert (made.stage, made.action, made.recipient, made.times) == (
        Stage.RCPT,
        Action.REJECT,
        "",
        None,
    )
    assert SmtpPresetIn.model_validate({"times": 1.5}).to_preset().times == 2


def test_smtp_preset_times_are_checked_like_http_ones() -> None:
    with pytest.raises(ConfigError, match="Preset has 0 times"):
        SmtpPresetIn.model_validate({"times": 0}).to_preset()
