"""`AsyncPretenders` and `AsyncMailbox`: the v1 client's calls awaited, on httpx.AsyncClient, so
a wait leaves the event loop (and the app running in it) free.

async with AsyncPretenders("http://127.0.0.1:8000") as root:
    fake = await root.session()
    await fake.when("GET /hello", host="api.example.test").reply("hi")
    seen = await fake.wait_for_requests(1, timeout=10)
"""

import builtins
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, Self, Unpack

import httpx

from pretenders_proxy.client.mailcalls import MailboxClient, MailFilters
from pretenders_proxy.client.operations import (
    DEFAULT_URL,
    CassetteOptions,
    ClientOptions,
    SessionClient,
    Verification,
)
from pretenders_proxy.client.presets import Match, Preset, PresetBuilder, match_rule
from pretenders_proxy.client.recorded import RecordedRequest
from pretenders_proxy.client.sansio import Steps, adrive
from pretenders_proxy.wire.mail import MailOut, MailSummaryOut, SmtpPresetOut


class AsyncPretenders(SessionClient):
    """One session on a pretenders server, every call of `Pretenders` as a coroutine (its
    properties listeners, smtp and proxy_url too; `mail` is an AsyncMailbox).

    `keep_alive=False`: no connection outlives a call, so the client holds nothing to close and
    may be used from any event loop (what `Pretenders.aio` gives)."""

    def __init__(
        self, url: str = DEFAULT_URL, *, keep_alive: bool = True, **options: Unpack[ClientOptions]
    ) -> None:
        super().__init__(url, **options)
        self.keep_alive = keep_alive
        limits = httpx.Limits(max_keepalive_connections=None if keep_alive else 0)
        # trust_env off: the proxy variables set for the app must not route control calls.
        self.http = httpx.AsyncClient(
            base_url=self.url,
            headers=self.headers,
            timeout=self.timeout,
            trust_env=False,
            limits=limits,
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def _run[T](self, steps: Steps[T]) -> T:
        return await adrive(self.http, steps)

    # The `timeout`s below are the server's (a session's lifetime, how long a wait lasts), the
    # same names as Pretenders': not a cancellation asyncio.timeout could stand for.
    async def session(
        self,
        name: str | None = None,
        *,
        timeout: float | str | None = None,  # noqa: ASYNC109
        record_history: bool | None = None,
    ) -> Self:
        """A client for a new (or the live, if named) session on the same server;
        `record_history=False`: it keeps no history (load tests), True: it records again."""
        created = await self._run(self.calls.create(name, timeout, record_history))
        return type(self)(
            self.url,
            session=created,
            token=self.token,
            timeout=self.timeout,
            keep_alive=self.keep_alive,
        )

    async def delete(self) -> None:
        await self._run(self.calls.delete())

    async def info(self) -> dict[str, Any]:
        return await self._run(self.calls.info())

    async def listeners(self) -> dict[str, str]:
        return await self._run(self.calls.listeners())

    async def smtp(self) -> tuple[str, int]:
        return await self._run(self.calls.smtp())

    async def proxy_url(self) -> str:
        return await self._run(self.calls.proxy_url())

    async def own_proxy(self) -> str:
        """The URL of a proxy port of this session's own (opened if needed): no credentials."""
        return await self._run(self.calls.own_proxy())

    @property
    def mail(self) -> "AsyncMailbox":
        """This session's captured mail, on this client's connections."""
        mailbox = AsyncMailbox(self.url, session=self.name, token=self.token)
        mailbox.http = self.http
        return mailbox

    def when(
        self, rule: str = "", **match: Unpack[Match]
    ) -> PresetBuilder[Awaitable[dict[str, Any]]]:
        """`await when(...).reply(...)` adds a preset, as `Pretenders.when` does."""
        return PresetBuilder(self._add, match_rule(rule, **match))

    async def _add(self, preset: Preset) -> dict[str, Any]:
        return await self._run(self.calls.add_preset(preset))

    async def presets(self) -> list[dict[str, Any]]:
        return await self._run(self.calls.presets())

    async def clear_presets(self) -> None:
        await self._run(self.calls.clear_presets())

    async def mode(self) -> dict[str, Any]:
        return await self._run(self.calls.mode())

    async def set_mode(self, **fields: Any) -> dict[str, Any]:
        return await self._run(self.calls.set_mode(**fields))

    async def use_cassette(
        self, path: str | Path, mode: str = "once", **options: Unpack[CassetteOptions]
    ) -> dict[str, Any]:
        """As `Pretenders.use_cassette` (a relative path is this process's)."""
        return await self._run(self.calls.use_cassette(path, mode, **options))

    async def requests(self, **filters: Any) -> list[RecordedRequest]:
        return await self._run(self.calls.requests(**filters))

    async def wait_for_requests(
        self,
        count: int = 1,
        *,
        timeout: float = 10.0,  # noqa: ASYNC109
        **filters: Any,
    ) -> list[RecordedRequest]:
        """Once `count` matching requests arrived; WaitTimeoutError with `seen` on timeout."""
        return await self._run(self.calls.wait_for_requests(count, timeout, filters))

    async def misses(self) -> list[RecordedRequest]:
        return await self._run(self.calls.misses())

    async def reset(self) -> None:
        await self._run(self.calls.reset())

    async def assert_requested(self, rule: str = "", **check: Unpack[Verification]) -> list[int]:
        """As `Pretenders.assert_requested`: the same near-miss message, `wait` awaited."""
        return await self._run(self.calls.assert_requested(rule, **check))

    async def assert_no_misses(self) -> None:
        await self._run(self.calls.assert_no_misses())

    async def assert_all_played(self) -> None:
        await self._run(self.calls.assert_all_played())


class AsyncMailbox(MailboxClient):
    """The mail of one session (or of all when `session` is None), every call of `Mailbox`
    as a coroutine; on `http` when set (AsyncPretenders.mail), else a client per call."""

    http: httpx.AsyncClient | None = None

    async def list(self, **filters: Unpack[MailFilters]) -> list[MailSummaryOut]:
        return await self._run(self.calls.list(**filters))

    async def get(self, mail_id: int) -> MailOut:
        return await self._run(self.calls.get(mail_id))

    async def raw(self, mail_id: int) -> bytes:
        return await self._run(self.calls.raw(mail_id))

    async def attachment(self, mail_id: int, index: int) -> bytes:
        return await self._run(self.calls.attachment(mail_id, index))

    async def links(self, mail_id: int) -> builtins.list[str]:
        return await self._run(self.calls.links(mail_id))

    async def wait(
        self,
        *,
        timeout: float = 10,  # noqa: ASYNC109 (the server's wait, as in Mailbox.wait)
        **filters: Unpack[MailFilters],
    ) -> MailOut:
        """The oldest matching mail, once there is one; WaitTimeoutError after `timeout` s."""
        return await self._run(self.calls.wait(timeout, **filters))

    async def delete(self, mail_id: int | None = None) -> None:
        await self._run(self.calls.delete(mail_id))

    async def add_preset(self, **preset: Any) -> SmtpPresetOut:
        return await self._run(self.calls.add_preset(preset))

    async def presets(self) -> builtins.list[SmtpPresetOut]:
        return await self._run(self.calls.presets())

    async def clear_presets(self) -> None:
        await self._run(self.calls.clear_presets())

    async def _run[T](self, steps: Steps[T]) -> T:
        if self.http is not None:
            return await adrive(self.http, steps)
        async with httpx.AsyncClient(**self.client_options()) as client:
            return await adrive(client, steps)
