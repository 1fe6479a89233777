from pathlib import Path

import pytest
from mitmproxy import exceptions
from mitmproxy.test import taddons

from pretenders_proxy.cassette import writing
from pretenders_proxy.matching.modes import Mode, OnMiss, Repeat
from pretenders_proxy.proxy.modes import ModeControl
from pretenders_proxy.proxy.options import Options
from pretenders_proxy.server.runtime import Runtime
from tests.pretenders_proxy.factories import exchange


def test_the_options_put_the_default_session_in_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "c.cassette"
    writing.write(path, [exchange()])
    runtime = Runtime()
    addon = ModeControl(runtime)
    with taddons.context(Options(runtime), addon) as tctx:
        tctx.configure(
            addon,
            pretenders_mode="replay",
            pretenders_cassettes=[str(path)],
            pretenders_repeat="never",
            pretenders_on_miss="passthrough",
            pretenders_match_on="method,path",
        )
    playback = runtime.store.get("default").playback
    assert (playback.mode, playback.config.on_miss) == (Mode.REPLAY, OnMiss.PASSTHROUGH)
    assert (playback.tape.repeat, playback.tape.spec.fields) == (Repeat.NEVER, ("method", "path"))
    assert len(playback.tape) == 1


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"pretenders_mode": "replay"}, "replay mode needs a cassette"),
        ({"pretenders_mode": "replay", "pretenders_cassettes": ["/no.cassette"]}, "/no.cassette"),
        ({"pretenders_match_on": "colour"}, "unknown field 'colour'"),
    ],
)
def test_bad_options_are_refused(options: dict[str, object], problem: str) -> None:
    runtime = Runtime()
    addon = ModeControl(runtime)
    with (
        taddons.context(Options(runtime), addon) as tctx,
        pytest.raises(exceptions.OptionsError, match=problem),
    ):
        tctx.configure(addon, **options)
