"""The addon that declares the server-wide `pretenders_*` options and turns them into Settings."""

from collections.abc import Sequence

from mitmproxy import ctx, exceptions
from mitmproxy.addonmanager import Loader

from pretenders_proxy.errors import ConfigError
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.settings import Settings

OPTIONS = {
    "pretenders_api_host",
    "pretenders_api_port",
    "pretenders_api_token",
    "pretenders_smtp_port",
    "pretenders_smtp_port_range",
    "pretenders_smtp_max_size",
    "pretenders_mock_stale_period",
    "pretenders_mock_timeout",
    "pretenders_miss_status",
    "pretenders_history_limit",
    "pretenders_cassette_dirs",
}
READ = OPTIONS | {"listen_port", "confdir", "body_size_limit"}


class Options:
    """Declares the options once; on every change parses them into `runtime.settings`."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def load(self, loader: Loader) -> None:
        d = Settings()
        add = loader.add_option
        add(
            "pretenders_api_host",
            str,
            d.host,
            "Address of the control API, the UI and /mockhttp/ (and of every listener).",
        )
        add("pretenders_api_port", int, d.port, "Port of the control API (0: any free port).")
        add(
            "pretenders_api_token",
            str,
            "",
            "Bearer token every control-API call must carry; required off loopback.",
        )
        add("pretenders_smtp_port", int, d.smtp_port, "Port of the SMTP capture listener.")
        add(
            "pretenders_smtp_port_range",
            str,
            "{}-{}".format(*d.smtp_port_range),
            "Ports for SMTP mocks created through the 1.4 API (POST /smtp); 0: any free port.",
        )
        add(
            "pretenders_smtp_max_size",
            int,
            d.smtp_max_size,
            "Largest message in bytes the SMTP listeners accept; bigger ones get 552.",
        )
        add(
            "pretenders_mock_stale_period",
            float,
            d.stale_period,
            "Seconds between sweeps that remove sessions idle past their timeout.",
        )
        add(
            "pretenders_mock_timeout",
            str,
            str(d.mock_timeout),
            "Idle seconds before a mock created without a timeout expires, or FOREVER.",
        )
        add(
            "pretenders_miss_status",
            int,
            d.miss_status,
            "HTTP status of the reply to a request that nothing matched.",
        )
        add(
            "pretenders_cassette_dirs",
            Sequence[str],
            [],
            "Directories that cassette paths given through the control API must lie in "
            "(relative ones are taken from the first); empty: the working directory.",
        )
        add(
            "pretenders_history_limit",
            int,
            d.history_limit,
            "Requests (and mails) kept per session; past it the oldest go, counted as dropped.",
        )

    def configure(self, updated: set[str]) -> None:
        if updated & READ:
            try:
                settings = Settings.from_options(
                    {name: getattr(ctx.options, name) for name in READ}
                )
            except (ConfigError, ValueError) as e:
                raise exceptions.OptionsError(f"pretenders: {e}") from e
            self.runtime.apply(settings)
