"""The UI's files: public (no token), served with a strict policy, nothing outside the folder."""

import pytest

from pretenders_proxy.api import ui


@pytest.mark.parametrize(
    ("path", "public"),
    [("/", True), ("/ui/app.js", True), ("/api/v1/sessions", False), ("/uix", False)],
)
def test_only_the_ui_files_are_public(path: str, public: bool) -> None:
    assert ui.is_public(path) is public


def test_a_script_is_served_as_javascript_with_the_policy() -> None:
    scripts = [p.name for p in ui.FILES.iterdir() if p.name.endswith(".js")]
    served = ui._file(scripts[0])
    assert served.status == 200 and served.content_type == "text/javascript"
    assert served.headers["Content-Security-Policy"] == ui.POLICY


@pytest.mark.parametrize("name", ["../app.py", ".hidden", "a\\b", "missing.css"])
def test_nothing_else_is_served(name: str) -> None:
    assert ui._file(name).status == 404
