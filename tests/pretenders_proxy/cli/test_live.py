"""What a recorded request sends again: not its connection's headers nor redacted secrets; the
trust it uses. (Sending to live upstreams: tests/integration/test_drift.py.)"""

from pathlib import Path

import pytest

from pretenders_proxy.cli.live import _sent, _trust
from pretenders_proxy.errors import ConfigError


@pytest.mark.parametrize(
    ("name", "value", "sent"),
    [
        (b"Accept", b"application/json", True),
        (b"Host", b"api.test", False),  # written from the recorded URL
        (b"Content-Length", b"3", False),
        (b"Authorization", b"<redacted>", False),
        (b"Authorization", b"Bearer x", True),
    ],
)
def test_which_recorded_headers_are_sent(name: bytes, value: bytes, sent: bool) -> None:
    assert _sent(name, value) is sent


def test_an_unreadable_ca_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "bad.pem").write_text("not a certificate")
    for path in (tmp_path / "bad.pem", tmp_path / "none.pem"):
        with pytest.raises(ConfigError, match=f"--upstream-ca {path}"):
            _trust(path)
