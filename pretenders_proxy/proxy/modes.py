"""ModeControl: the options that put the `default` session in mock, record or replay mode
(declared with the others by the Options addon)."""

from mitmproxy import ctx, exceptions

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.matching.fields import parse_match_on
from pretenders_proxy.matching.modes import Mode, ModeConfig, OnMiss, OnStale, Repeat, choice
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.store.sessions import DEFAULT_SESSION
from pretenders_proxy.store.staleness import parse_max_age

OPTIONS = {
    "pretenders_mode",
    "pretenders_cassettes",
    "pretenders_on_miss",
    "pretenders_repeat",
    "pretenders_match_on",
    "pretenders_ignore",
    "pretenders_max_age",
    "pretenders_on_stale",
}


def mode_config() -> ModeConfig:
    """The options' ModeConfig; ConfigError naming what is wrong."""
    options = ctx.options
    return ModeConfig(
        mode=choice(Mode, options.pretenders_mode, "mode"),
        cassettes=tuple(options.pretenders_cassettes),
        on_miss=choice(OnMiss, options.pretenders_on_miss, "on-miss"),
        repeat=choice(Repeat, options.pretenders_repeat, "repeat"),
        match_on=(
            parse_match_on([options.pretenders_match_on]) if options.pretenders_match_on else None
        ),
        ignore=tuple(options.pretenders_ignore),
        max_age=parse_max_age(options.pretenders_max_age),
        on_stale=choice(OnStale, options.pretenders_on_stale, "on-stale"),
    )


class ModeControl:
    """On a change of the mode options, loads the cassettes and switches `default` over.

    Other sessions switch through the control API (PUT /api/v1/mode?session=...).
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def configure(self, updated: set[str]) -> None:
        if updated & (OPTIONS | {"pretenders_redact_headers", "pretenders_redact_query"}):
            # Redaction changes the names replay ignores, so it reloads the cassettes too.
            store = self.runtime.store
            try:
                self.runtime.cassettes.switch(store, store.get(DEFAULT_SESSION), mode_config())
            except ConfigError as e:
                raise exceptions.OptionsError(f"pretenders: {e}") from e
