"""A session's mode with the tape its cassettes make, and the miss explanation they give."""

from dataclasses import dataclass, field

from pretenders_proxy.matching.modes import Mode, ModeConfig
from pretenders_proxy.matching.subject import Subject
from pretenders_proxy.store.presets import PresetBook, explain_miss
from pretenders_proxy.store.tape import Tape, explain_recording_miss


@dataclass(eq=False)
class Playback:
    """What a session replays and records; swapped whole when its mode changes."""

    config: ModeConfig = field(default_factory=ModeConfig)
    tape: Tape = field(default_factory=Tape)
    warnings: tuple[str, ...] = ()
    """What loading the cassettes had to say (a truncated last item)."""
    warned: set[str] = field(default_factory=set)
    """The stale recordings (`<cassette> #<position>`) the server log has warned of: once each."""

    @property
    def mode(self) -> Mode:
        return self.config.mode

    def explain(self, subject: Subject, presets: PresetBook) -> str:
        """The miss reply's text: the closest recording (in replay) and the closest preset."""
        if self.mode is not Mode.REPLAY:
            return explain_miss(subject, presets.nearest(subject))
        text = explain_recording_miss(self.tape, subject.request)
        if len(presets):
            text += explain_miss(subject, presets.nearest(subject))
        return text
