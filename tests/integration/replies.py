"""The two ways /mockhttp/ answers a preset: canned reply bytes (the default) and aiohttp's
response objects (--plain-mock-replies); modules testing mocks run against both."""

import pytest

PLAIN = "plain replies"
BOTH_REPLY_PATHS = pytest.mark.parametrize("server", ["memory", "redis", PLAIN], indirect=True)
"""`server` a third time for the module: a memory-store server with --plain-mock-replies."""
