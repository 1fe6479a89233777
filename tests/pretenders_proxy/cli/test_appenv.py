"""An app's way through a running server: where a server's CA files go, the variables of a
destination, and a server that does not answer said by its URL."""

from pathlib import Path

import pytest

from pretenders_proxy.certs import CA_CERT
from pretenders_proxy.cli.appenv import Control, Destination, ca_folder
from pretenders_proxy.environment.variables import Files
from pretenders_proxy.errors import APIError


def test_a_servers_ca_that_is_confdirs_own_uses_confdir(tmp_path: Path) -> None:
    (tmp_path / CA_CERT).write_bytes(b"our CA")
    assert ca_folder(tmp_path, b"our CA") == tmp_path


def test_another_servers_ca_gets_a_folder_of_its_own(tmp_path: Path) -> None:
    (tmp_path / CA_CERT).write_bytes(b"our CA")
    folder = ca_folder(tmp_path, b"their CA")
    assert folder.parent == tmp_path / "servers"
    assert (folder / CA_CERT).read_bytes() == b"their CA"
    assert ca_folder(tmp_path, b"their CA") == folder
    assert ca_folder(tmp_path, b"a third CA") != folder


def test_a_destination_gives_the_app_its_proxy_and_cmd_the_server_and_session() -> None:
    files = Files(Path("/c/b.pem"), Path("/c/t.p12"), Path("/c/p.cjs"), Path("/c/w"))
    control = Control("http://127.0.0.1:8123")
    found = dict(Destination(control, "s1", "http://127.0.0.1:9000", files).environment())
    assert found["HTTPS_PROXY"] == "http://127.0.0.1:9000"
    assert found["NO_PROXY"] == "127.0.0.1:8123,localhost:8123"
    assert found["PRETENDERS_URL"] == "http://127.0.0.1:8123"
    assert found["PRETENDERS_SESSION"] == "s1"


def test_a_server_that_does_not_answer_is_named() -> None:
    with pytest.raises(APIError, match=r"no pretenders server answers at http://127\.0\.0\.1:9"):
        Control("http://127.0.0.1:9").call("GET", "/health")
