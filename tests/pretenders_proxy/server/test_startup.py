import pytest
from mitmproxy import http
from mitmproxy.test import tutils

from pretenders_proxy.server import startup


@pytest.mark.parametrize(
    ("argv", "server"),
    [
        (["python", "-m", "pretenders_proxy", "replay", "a.cassette"], True),
        (["python", "/venv/bin/pretenders", "serve", "--port", "0"], True),
        (["python", "/venv/bin/pretenders", "record", "x"], True),
        (["python", "-m", "pretenders_proxy", "env"], False),
        (["python", "/venv/bin/pretenders", "ca", "path"], False),
        (["python", "/venv/bin/pretenders"], False),
        (["python", "-c", "serve"], False),
        (["python"], False),
    ],
)
def test_only_the_server_commands_are_servers(argv: list[str], server: bool) -> None:
    assert startup.is_server(argv) is server


def test_message_typechecks_are_skipped_unless_asked_to_keep_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked = http.MessageData.__post_init__  # type: ignore[attr-defined]
    monkeypatch.setattr(http.MessageData, "__post_init__", checked)

    def wrongly_typed() -> object:
        version: bytes = "HTTP/1.1"  # type: ignore[assignment]
        return http.ResponseData(version, http.Headers(), b"", None, 0.0, None, 200, b"OK")

    assert not startup.skip_message_typechecks({startup.NO_OPTIMIZE: "1"})
    with pytest.raises(TypeError, match="http_version"):
        wrongly_typed()
    assert startup.skip_message_typechecks({})
    wrongly_typed()  # not checked any more
    assert tutils.tresp(content=b"fine").content == b"fine"
