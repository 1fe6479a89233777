"""What the tests of the `pretenders cassette` commands share: running one, and a cassette."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pretenders_proxy.cassette import writing
from pretenders_proxy.cli.app import app
from tests.pretenders_proxy.samples import exchanges

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    """`pretenders cassette ARGS`: exit status, stdout and stderr."""
    result = runner.invoke(app, ["cassette", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def cassette(tmp_path: Path) -> Path:
    """A cassette of the sample exchanges."""
    path = tmp_path / "api.cassette"
    writing.write(path, exchanges())
    return path
