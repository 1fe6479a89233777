"""`Pretenders`, the client of the v1 control API: sessions, presets, requests, assertions.

fake = Pretenders("http://127.0.0.1:8000").session()      # a fresh session of its own
fake.when("GET /hello", host="api.example.test").reply(text="hi")
run_my_app(proxy=fake.proxy_url)
fake.assert_requested("GET /hello", times=1)
fake.assert_no_misses()
"""

from functools import cached_property
from pathlib import Path
from typing import Any, Self, Unpack

import httpx

from pretenders_proxy.client.aio import AsyncPretenders
from pretenders_proxy.client.mail import Mailbox
from pretenders_proxy.client.operations import (
    DEFAULT_URL,
    CassetteOptions,
    ClientOptions,
    SessionClient,
    Verification,
)
from pretenders_proxy.client.presets import Headers, Match, Preset, PresetBuilder, match_rule
from pretenders_proxy.client.recorded import RecordedRequest
from pretenders_proxy.client.sansio import NEXT_CURSOR, PAGE, Steps, drive

__all__ = [
    "NEXT_CURSOR",
    "PAGE",
    "Headers",
    "PresetBuilder",
    "Pretenders",
    "RecordedRequest",
]


class Pretenders(SessionClient):
    """One session on a pretenders server (`default` unless given or made with `session()`)."""

    def __init__(self, url: str = DEFAULT_URL, **options: Unpack[ClientOptions]) -> None:
        super().__init__(url, **options)
        # trust_env off: the proxy variables set for the app must not route control calls.
        self.http = httpx.Client(
            base_url=self.url, headers=self.headers, timeout=self.timeout, trust_env=False
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @cached_property
    def aio(self) -> AsyncPretenders:
        """This session from asyncio code: its waits leave the event loop free. It keeps no
        connection between calls, so it needs no closing and works in any event loop."""
        return AsyncPretenders(
            self.url, session=self.name, token=self.token, timeout=self.timeout, keep_alive=False
        )

    def _run[T](self, steps: Steps[T]) -> T:
        return drive(self.http, steps)

    # -- sessions -------------------------------------------------------------------------

    def session(
        self,
        name: str | None = None,
        *,
        timeout: float | str | None = None,
        record_history: bool | None = None,
    ) -> Self:
        """A client for a new (or the live, if named) session on the same server;
        `record_history=False`: it keeps no history (load tests), True: it records again."""
        created = self._run(self.calls.create(name, timeout, record_history))
        return type(self)(self.url, session=created, token=self.token, timeout=self.timeout)

    def delete(self) -> None:
        """Delete this session with everything it holds (`default` is emptied instead)."""
        self._run(self.calls.delete())

    def info(self) -> dict[str, Any]:
        return self._run(self.calls.info())

    @property
    def listeners(self) -> dict[str, str]:
        return self._run(self.calls.listeners())

    @property
    def smtp(self) -> tuple[str, int]:
        """(host, port) of the SMTP capture listener; log in as this session's name to reach it."""
        return self._run(self.calls.smtp())

    @property
    def proxy_url(self) -> str:
        """The proxy URL whose credentials route traffic to this session."""
        return self._run(self.calls.proxy_url())

    def own_proxy(self) -> str:
        """The URL of a forward-proxy port of this session's own, opened if needed: what arrives
        there is this session's without credentials, for clients that send none (Java)."""
        return self._run(self.calls.own_proxy())

    @property
    def mail(self) -> Mailbox:
        """This session's captured mail: list, get, wait(to=..., timeout=...), links, presets."""
        return Mailbox(self.url, session=self.name, token=self.token)

    # -- presets --------------------------------------------------------------------------

    def when(self, rule: str = "", **match: Unpack[Match]) -> PresetBuilder[dict[str, Any]]:
        """Start a preset: requests matching this rule (and host, headers, body, data, json)
        get the `.reply(...)` that follows."""
        return PresetBuilder(self._add, match_rule(rule, **match))

    def _add(self, preset: Preset) -> dict[str, Any]:
        return self._run(self.calls.add_preset(preset))

    def presets(self) -> list[dict[str, Any]]:
        return self._run(self.calls.presets())

    def clear_presets(self) -> None:
        self._run(self.calls.clear_presets())

    # -- modes and cassettes --------------------------------------------------------------

    def mode(self) -> dict[str, Any]:
        """This session's mode, cassettes and replay settings."""
        return self._run(self.calls.mode())

    def set_mode(self, **fields: Any) -> dict[str, Any]:
        """Switch this session's mode: mode, cassettes, on_miss or record_mode, repeat, match_on,
        replay_speed, ignore, max_age, on_stale."""
        return self._run(self.calls.set_mode(**fields))

    def use_cassette(
        self, path: str | Path, mode: str = "once", **options: Unpack[CassetteOptions]
    ) -> dict[str, Any]:
        """Record to or replay `path` with VCR.py's record modes: none, once, new_episodes, all.
        `replay_speed`: how fast recorded streams play (0 at once, 1 as recorded, 2 twice as
        fast; default: the server's --replay-speed). `ignore`: parts of requests replay leaves
        out of matching, as --ignore takes them (`json:$.meta.timestamp`, `query:_ts`, ...),
        besides those the cassette's header stores (`pretenders cassette ignore`).
        `max_age`: a recording older than this (`30d`, `12h`, ...) is stale, and `on_stale`
        says what then: warn (played, noted in history), fail (a miss) or record (again).

        The server reads and writes the cassette, on its own disk: it decides from the record
        mode and whether the file is there, starts it afresh for `all` and makes its folders.
        A relative path is made absolute here, against this process's working directory.
        APIError (400) when the server refuses (record mode none and no cassette, say).
        """
        return self._run(self.calls.use_cassette(path, mode, **options))

    # -- requests -------------------------------------------------------------------------

    def requests(self, **filters: Any) -> list[RecordedRequest]:
        """What this session received (filters: method, host, path regex, source, since), every
        page of it."""
        return self._run(self.calls.requests(**filters))

    def wait_for_requests(
        self, count: int = 1, *, timeout: float = 10.0, **filters: Any
    ) -> list[RecordedRequest]:
        """Block until `count` matching requests arrived; WaitTimeoutError (an AssertionError)
        on timeout, its `seen` holding those that did."""
        return self._run(self.calls.wait_for_requests(count, timeout, filters))

    def misses(self) -> list[RecordedRequest]:
        return self._run(self.calls.misses())

    def reset(self) -> None:
        """Forget this session's presets and requests."""
        self._run(self.calls.reset())

    # -- assertions -----------------------------------------------------------------------

    def assert_requested(self, rule: str = "", **check: Unpack[Verification]) -> list[int]:
        """Assert the session received matching requests (at least once by default; host,
        headers, body, json; times, at_least, at_most); the AssertionError carries the
        server's near-miss explanation. Returns their ids.

        With `wait` (seconds), a count still not met then is a WaitTimeoutError (an
        AssertionError) whose `seen` holds the matching requests that did arrive."""
        return self._run(self.calls.assert_requested(rule, **check))

    def assert_no_misses(self) -> None:
        """Assert that every request of this session was answered by a preset or recording."""
        self._run(self.calls.assert_no_misses())

    def assert_all_played(self) -> None:
        """Assert that every preset served and (in replay) every recording answered."""
        self._run(self.calls.assert_all_played())
