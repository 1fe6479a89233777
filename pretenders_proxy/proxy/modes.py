"""ModeControl: the options that put the `default` session in mock, record or replay mode."""

from collections.abc import Sequence

from mitmproxy import ctx, exceptions
from mitmproxy.addonmanager import Loader

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.matching.fields import DEFAULT_MATCH_ON, parse_match_on
from pretenders_proxy.matching.modes import Mode, ModeConfig, OnMiss, Repeat, choice
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.store.sessions import DEFAULT_SESSION

OPTIONS = {
    "pretenders_mode",
    "pretenders_cassettes",
    "pretenders_on_miss",
    "pretenders_repeat",
    "pretenders_match_on",
}


def mode_config() -> ModeConfig:
    """The options' ModeConfig; ConfigError naming what is wrong."""
    options = ctx.options
    return ModeConfig(
        mode=choice(Mode, options.pretenders_mode, "mode"),
        cassettes=tuple(options.pretenders_cassettes),
        on_miss=choice(OnMiss, options.pretenders_on_miss, "on-miss"),
        repeat=choice(Repeat, options.pretenders_repeat, "repeat"),
        match_on=parse_match_on([options.pretenders_match_on]),
    )


class ModeControl:
    """Declares the mode options; a change loads the cassettes and switches `default` over.

    Other sessions switch through the control API (PUT /api/v1/mode?session=...).
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def load(self, loader: Loader) -> None:
        add = loader.add_option
        add(
            "pretenders_mode",
            str,
            str(Mode.MOCK),
            "mock: presets answer, anything else gets the miss reply; record: anything else "
            "goes upstream and is appended to the cassette; replay: the cassettes answer.",
            choices=[str(m) for m in Mode],
        )
        add(
            "pretenders_cassettes",
            Sequence[str],
            [],
            "Cassette files: the one to record to, or the ones to replay (in order).",
        )
        add(
            "pretenders_on_miss",
            str,
            str(OnMiss.ERROR),
            "In replay, a request no recording matches gets the miss reply (error), goes to "
            "the real service (passthrough), or goes there and is appended to the first "
            "cassette (record).",
            choices=[str(m) for m in OnMiss],
        )
        add(
            "pretenders_repeat",
            str,
            str(Repeat.LAST),
            "When equal requests outnumber their recordings: keep answering the last one "
            "(last), or treat the extra ones as misses (never).",
            choices=[str(r) for r in Repeat],
        )
        add(
            "pretenders_match_on",
            str,
            ",".join(DEFAULT_MATCH_ON),
            "Comma-separated request fields replay compares: method, scheme, host, port, "
            "path, query (any order), body, header:<Name>.",
        )

    def configure(self, updated: set[str]) -> None:
        if updated & (OPTIONS | {"pretenders_redact_headers", "pretenders_redact_query"}):
            # Redaction changes the names replay ignores, so it reloads the cassettes too.
            store = self.runtime.store
            try:
                self.runtime.cassettes.switch(store, store.get(DEFAULT_SESSION), mode_config())
            except ConfigError as e:
                raise exceptions.OptionsError(f"pretenders: {e}") from e
