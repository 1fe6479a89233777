"""The miss explanation follows the mode: presets in mock mode, recordings first in replay."""

from pretenders_proxy.matching.modes import Mode, ModeConfig
from pretenders_proxy.matching.subject import Subject
from pretenders_proxy.model.preset import Preset, Reply, Rule
from pretenders_proxy.store.playback import Playback
from pretenders_proxy.store.presets import PresetBook
from tests.pretenders_proxy.factories import request

SUBJECT = Subject(request(path=b"/missing"))


def test_in_mock_mode_the_nearest_preset_explains() -> None:
    presets = PresetBook()
    presets.add(7, Preset(Rule("GET /other"), Reply()))
    text = Playback().explain(SUBJECT, presets)
    assert text.startswith("No preset matched GET /missing")
    assert "Closest: preset 7 (rule 'GET /other')" in text


def test_in_replay_mode_the_recordings_explain_then_any_presets() -> None:
    replay = Playback(ModeConfig(Mode.REPLAY, ("c.cassette",)))
    presets = PresetBook()
    alone = replay.explain(SUBJECT, presets)
    assert alone.startswith("No recording matched GET https://api.example.test/missing.")
    assert "No preset matched" not in alone
    presets.add(1, Preset(Rule("POST"), Reply()))
    both = replay.explain(SUBJECT, presets)
    assert both.startswith(alone) and "No preset matched" in both
