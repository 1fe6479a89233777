"""MIME parsed to a bounded depth: parts nested deeper are kept whole, never a RecursionError."""

import email.policy

import pytest

from pretenders_proxy.model.mime import MAX_DEPTH, EmailPart, Part, parse_bytes
from tests.pretenders_proxy.factories import nested_mime as nested


def depth_of(part: Part) -> tuple[int, Part]:
    depth = 0
    while part.is_multipart():
        child = part.get_payload(0)
        assert isinstance(child, Part)
        part, depth = child, depth + 1
    return depth, part


def test_a_message_within_the_limit_is_parsed_whole() -> None:
    message, cut = parse_bytes(nested(MAX_DEPTH))
    assert not cut
    level, innermost = depth_of(message)
    assert level == MAX_DEPTH and not innermost.cut


@pytest.mark.parametrize(("depth", "declared"), [(MAX_DEPTH + 1, "text/plain"), (2000, None)])
def test_deeper_parts_are_kept_unparsed(depth: int, declared: str | None) -> None:
    # issue 15: 2,000 levels raised RecursionError in the stdlib parser
    message, cut = parse_bytes(nested(depth))
    assert cut
    level, innermost = depth_of(message)
    assert level == MAX_DEPTH + 1  # the message itself is level 0
    assert innermost.cut and innermost.get_content_type() == "text/plain"
    assert innermost.declared_type() == (declared or "multipart/mixed")
    assert b"hello" in innermost.get_payload(decode=True)


def test_the_modern_policies_get_their_message_class() -> None:
    message, cut = parse_bytes(nested(2000), email.policy.HTTP)
    assert isinstance(message, EmailPart) and cut
    assert len(list(message.iter_parts())) == 1
