from dataclasses import FrozenInstanceError, dataclass

import pytest

from pretenders_proxy.matching.fields import MatchSpec
from pretenders_proxy.model.frozen import maker
from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.store.tape import Kept, Recorded
from tests.pretenders_proxy.factories import request


def test_made_instances_equal_the_constructed_ones_and_stay_frozen() -> None:
    values = ("GET", b"/a", b"q=1", ((b"Accept", b"*/*"),), b"x", "https", "h.test", 443, "HTTP/2")
    made = maker(Request)(*values)
    assert made == Request(*values) and type(made) is Request
    assert hash(made) == hash(Request(*values))
    with pytest.raises(FrozenInstanceError):
        made.method = "POST"  # type: ignore[misc]
    source = Kept(Response(200))
    recorded = maker(Recorded)("c.cassette", 1, 10, 20, request(), 200, source)
    assert recorded == Recorded("c.cassette", 1, 10, 20, request(), 200, source)
    assert recorded.response() == Response(200)


def test_every_field_must_be_given() -> None:
    with pytest.raises(TypeError):
        maker(Request)("GET", b"/a")


def test_only_slotted_dataclasses_without_post_init() -> None:
    @dataclass(frozen=True)
    class Plain:
        a: int

    with pytest.raises(TypeError, match="not a slotted dataclass"):
        maker(Plain)
    with pytest.raises(TypeError, match="__post_init__"):
        maker(MatchSpec)
