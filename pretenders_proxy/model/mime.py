"""Parsing MIME (mail, multipart form bodies) to a bounded depth: a part nested deeper than
MAX_DEPTH is kept whole, unparsed, as text. The stdlib parser recurses once per level (2,000
levels raised RecursionError, issue 15) and takes time growing with the square of the depth."""

import email.feedparser
import email.message
import email.policy
from typing import Any, cast

MAX_DEPTH = 20
"""MIME levels parsed. Mail nests a handful (mixed > alternative > related, a few more per
forwarded message); each level costs the parser a check of every line below it."""


class Part(email.message.Message):
    """A part of a message parsed by `parse_bytes`; `cut`: below MAX_DEPTH, read as text."""

    cut = False

    def get_content_type(self) -> str:
        # the parser asks this to decide whether to descend into a multipart or message part
        return "text/plain" if self.cut else super().get_content_type()

    def declared_type(self) -> str:
        """The content type the part's headers declare, cut or not."""
        return super().get_content_type()


class EmailPart(email.message.EmailMessage, Part):
    """`Part` for the modern policies (`iter_parts`, `get_content`)."""


class _Parser(email.feedparser.BytesFeedParser):
    """The stdlib parser, cutting parts at MAX_DEPTH (through its one hook on new parts)."""

    def __init__(self, policy: email.policy.Policy) -> None:
        modern = isinstance(policy, email.policy.EmailPolicy)
        super().__init__(EmailPart if modern else Part, policy=policy)
        self.was_cut = False

    def _new_message(self) -> None:
        super()._new_message()  # type: ignore[misc]
        stack: list[Any] = self._msgstack  # type: ignore[attr-defined]
        if len(stack) - 1 > MAX_DEPTH:  # the message itself is level 0
            stack[-1].cut = self.was_cut = True


def parse_bytes(
    content: bytes, policy: email.policy.Policy = email.policy.compat32
) -> tuple[Part, bool]:
    """The message `content` holds, and whether parts were cut at MAX_DEPTH."""
    parser = _Parser(policy)
    parser.feed(content)
    return cast(Part, parser.close()), parser.was_cut  # its factory makes nothing else
