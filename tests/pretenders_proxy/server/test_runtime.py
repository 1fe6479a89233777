from dataclasses import replace

from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.settings import Settings


def test_the_store_follows_the_settings_and_their_changes() -> None:
    runtime = Runtime(Settings(history_limit=5, mock_timeout=None))
    assert (runtime.store.history_limit, runtime.store.default_timeout) == (5, None)
    runtime.apply(replace(runtime.settings, history_limit=7, mock_timeout=30.0))
    assert runtime.settings.history_limit == 7
    assert (runtime.store.history_limit, runtime.store.default_timeout) == (7, 30.0)
