"""What importing pretenders loads: the package and its CLI leave the client (httpx) alone, and
the CLI leaves mitmproxy alone."""

import subprocess
import sys

import pytest


def _loaded(statement: str) -> set[str]:
    probe = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


@pytest.mark.parametrize(
    "statement", ["import pretenders_proxy", "import pretenders_proxy.cli.app"]
)
def test_the_package_and_cli_do_not_import_the_client(statement: str) -> None:
    assert "httpx" not in _loaded(statement)


def test_the_cli_does_not_import_mitmproxy_before_a_server_command_needs_it() -> None:
    # `pretenders --help` stays quick, and a server command can still set mitmproxy's addons
    # package up (proxy/internals.py) before anything imports it
    assert not {name for name in _loaded("import pretenders_proxy.cli.app") if "mitmproxy" in name}


def test_the_client_names_are_there_when_used() -> None:
    loaded = _loaded("from pretenders_proxy import Mailbox, Pretenders, RecordedRequest")
    assert {"httpx", "pretenders_proxy.client.v1", "pretenders_proxy.client.mail"} <= loaded
    with pytest.raises(AttributeError, match="has no attribute 'Nothing'"):
        import pretenders_proxy

        pretenders_proxy.Nothing  # noqa: B018
