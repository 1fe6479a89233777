from pathlib import Path

import pytest

from pretenders_proxy.cli.shellenv import Shell, no_proxy, render, variables

PAIRS = [("A", "http://u:x@h:1"), ("B", 'it\'s $HOME \\ "q"')]


@pytest.mark.parametrize(
    ("shell", "expected"),
    [
        (Shell.BASH, "export A=http://u:x@h:1\nexport B='it'\"'\"'s $HOME \\ \"q\"'\n"),
        (Shell.FISH, "set -gx A 'http://u:x@h:1'\nset -gx B 'it\\'s $HOME \\\\ \"q\"'\n"),
        (Shell.POWERSHELL, "$env:A = 'http://u:x@h:1'\n$env:B = 'it''s $HOME \\ \"q\"'\n"),
        (Shell.DOTENV, 'A=http://u:x@h:1\nB="it\'s $HOME \\\\ \\"q\\""\n'),
    ],
)
def test_render_quotes_for_each_shell(shell: Shell, expected: str) -> None:
    assert render(PAIRS, shell) == expected


def test_variables_name_proxies_in_both_cases_and_the_bundle() -> None:
    found = dict(variables("http://p:1", ["h:2", "l:2"], Path("/b.pem")))
    assert found["HTTPS_PROXY"] == found["http_proxy"] == "http://p:1"
    assert found["NO_PROXY"] == found["no_proxy"] == "h:2,l:2"
    assert found["NODE_EXTRA_CA_CERTS"] == found["REQUESTS_CA_BUNDLE"] == "/b.pem"


@pytest.mark.parametrize(
    ("host", "kept_out"),
    [
        ("127.0.0.1", ["127.0.0.1:8000", "localhost:8000"]),
        ("localhost", ["127.0.0.1:8000", "localhost:8000"]),
        ("10.0.0.5", ["10.0.0.5:8000"]),
    ],
)
def test_no_proxy_names_the_control_api_and_both_names_of_loopback(
    host: str, kept_out: list[str]
) -> None:
    assert no_proxy(host, 8000) == kept_out
