import pytest

from pretenders_proxy.cli.shellenv import Shell, render

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
