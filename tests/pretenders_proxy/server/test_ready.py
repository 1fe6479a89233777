import json
import os
from pathlib import Path

import pytest

from pretenders_proxy import __version__
from pretenders_proxy.server import ready


def test_the_document_names_pid_listeners_ca_and_version(tmp_path: Path) -> None:
    listeners = {"control": "http://127.0.0.1:1", "proxy": "http://127.0.0.1:2"}
    assert ready.document(listeners, tmp_path) == {
        "pid": os.getpid(),
        "listeners": listeners,
        "ca_cert": str(tmp_path / "mitmproxy-ca-cert.pem"),
        "version": __version__,
    }


def test_a_relative_confdir_gives_an_absolute_ca_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    ca = ready.document({}, Path("conf"))["ca_cert"]
    assert ca == str(tmp_path / "conf" / "mitmproxy-ca-cert.pem")


def test_written_whole_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "ready.json"
    assert ready.read(path) is None
    ready.write(path, {"pid": 1})
    ready.write(path, {"pid": 2, "listeners": {}})
    assert ready.read(path) == json.loads(path.read_text()) == {"pid": 2, "listeners": {}}
    assert [p.name for p in tmp_path.iterdir()] == ["ready.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "ready.json"
    ready.write(path, {"pid": 1})
    with pytest.raises(TypeError):
        ready.write(path, {"pid": object()})  # fails half-way through writing
    assert ready.read(path) == {"pid": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["ready.json"]


def test_a_missing_folder_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        ready.write(tmp_path / "no" / "ready.json", {})
