"""The mode and cassette API bodies: a mode change keeps what it leaves out; views fit schemas."""

import pytest
from pydantic import ValidationError

from pretenders_proxy.api import cassette_views
from pretenders_proxy.api.cassette_schemas import CassetteExchangeOut, ModeIn
from pretenders_proxy.errors import ConfigError
from pretenders_proxy.matching.modes import Mode, ModeConfig, OnMiss, Repeat
from tests.pretenders_proxy.samples import exchanges

CURRENT = ModeConfig(Mode.REPLAY, ("a.cassette",), OnMiss.PASSTHROUGH, Repeat.NEVER, ("path",))


def test_fields_left_out_keep_the_current_value() -> None:
    assert ModeIn().to_config(CURRENT) == CURRENT
    changed = ModeIn(cassettes=["b.cassette"], match_on=["method,path", "header:Accept"])
    assert changed.to_config(CURRENT) == ModeConfig(
        Mode.REPLAY,
        ("b.cassette",),
        OnMiss.PASSTHROUGH,
        Repeat.NEVER,
        ("method", "path", "header:Accept"),
    )


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"match_on": ["colour"]}, "match-on: unknown field 'colour'"),
        ({"mode": "record", "cassettes": ["a", "b"]}, "record mode writes one cassette"),
    ],
)
def test_a_change_that_cannot_work_is_refused(body: dict[str, object], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        ModeIn.model_validate(body).to_config(CURRENT)


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match="modes"):
        ModeIn.model_validate({"modes": "replay"})


def test_the_exchange_view_fits_its_schema() -> None:
    for position, exchange in enumerate(exchanges()):
        shown = cassette_views.cassette_exchange(exchange, position)
        assert CassetteExchangeOut.model_validate(shown).model_dump() == shown
