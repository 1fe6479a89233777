import pytest

from pretenders_proxy.api.cassette_schemas import ModeIn
from pretenders_proxy.errors import BadRequestError
from pretenders_proxy.matching.modes import CassettePlan, Mode, ModeConfig, OnMiss, RecordMode


def test_a_record_mode_applies_to_its_one_cassette() -> None:
    body = ModeIn.model_validate({"record_mode": "new_episodes", "cassettes": ["a.cassette"]})
    assert body.record_cassette() == ("a.cassette", RecordMode.NEW_EPISODES)
    assert ModeIn.model_validate({"mode": "mock"}).record_cassette() is None


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"mode": "record"}, "give record_mode or mode, not both"),
        ({"on_miss": "record"}, "give record_mode or on_miss, not both"),
        ({"mode": "replay", "on_miss": "error"}, "give record_mode or mode and on_miss, not both"),
    ],
)
def test_a_record_mode_refuses_mode_and_on_miss_beside_it(
    body: dict[str, str], problem: str
) -> None:
    given = ModeIn.model_validate({"record_mode": "once", "cassettes": ["a.cassette"], **body})
    with pytest.raises(BadRequestError, match=problem):
        given.record_cassette()


@pytest.mark.parametrize("cassettes", [None, [], ["a.cassette", "b.cassette"]])
def test_a_record_mode_needs_exactly_one_cassette(cassettes: list[str] | None) -> None:
    given = ModeIn.model_validate({"record_mode": "once", "cassettes": cassettes})
    with pytest.raises(BadRequestError, match="needs the one cassette it applies to"):
        given.record_cassette()


def test_the_plan_gives_mode_and_on_miss() -> None:
    body = ModeIn.model_validate({"record_mode": "new_episodes", "cassettes": ["/c/a.cassette"]})
    made = body.to_config(ModeConfig(), CassettePlan(Mode.REPLAY, OnMiss.RECORD))
    assert (made.mode, made.on_miss, made.cassettes) == (
        Mode.REPLAY,
        OnMiss.RECORD,
        ("/c/a.cassette",),
    )
