"""`Pretenders`, the client of the v1 control API: sessions, presets, requests, assertions.

fake = Pretenders("http://127.0.0.1:8000").session()      # a fresh session of its own
fake.when("GET /hello", host="api.example.test").reply(text="hi")
run_my_app(proxy=fake.proxy_url)
fake.assert_requested("GET /hello", times=1)
fake.assert_no_misses()
"""

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import httpx

from pretenders_proxy.client.mail import Mailbox
from pretenders_proxy.constants import FOREVER
from pretenders_proxy.errors import APIError, WaitTimeoutError

type Headers = dict[str, str] | list[tuple[str, str]]

PAGE = 1000
"""Items asked for per page of a list (the server's most); the client follows every page."""
NEXT_CURSOR = "X-Next-Cursor"


@dataclass(frozen=True)
class RecordedRequest:
    """A request the server received, and how it was answered."""

    id: int
    session: str
    method: str
    url: str
    path: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes
    source: str
    status: int | None
    miss: str | None
    raw: dict[str, Any]
    protocol: str = "http"
    """http, websocket, or what a refused (or passed-through) connection was: tcp, tls, udp, dns."""
    stale: str | None = None
    """The recording that matched was older than the session's max-age: when and how old."""

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> "RecordedRequest":
        return cls(
            id=item["id"],
            session=item["session"],
            method=item["method"],
            url=item["url"],
            path=item["path"],
            query=item["query"],
            headers=[(name, value) for name, value in item["headers"]],
            body=base64.b64decode(item["body_base64"]),
            source=item["source"],
            status=item["status"],
            miss=item["miss"],
            raw=item,
            protocol=item.get("protocol", "http"),
            stale=item.get("stale"),
        )

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


class Pretenders:
    """One session on a pretenders server (`default` unless given or made with `session()`)."""

    def __init__(
        self,
        url: str = "http://127.0.0.1:8000",
        *,
        session: str = "default",
        token: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.name = session
        self.token = token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        # trust_env off: the proxy variables set for the app must not route control calls.
        self.http = httpx.Client(
            base_url=self.url, headers=headers, timeout=timeout, trust_env=False
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- sessions -------------------------------------------------------------------------

    def session(self, name: str | None = None, *, timeout: float | str | None = None) -> Self:
        """A client for a new (or the live, if named) session on the same server."""
        body: dict[str, Any] = {"name": name}
        if timeout is not None:
            body["timeout"] = timeout
        created = self._call("POST", "/api/v1/sessions", json=body)
        return type(self)(
            self.url,
            session=created["name"],
            token=self.token,
            timeout=self.http.timeout.read or 30.0,
        )

    def delete(self) -> None:
        """Delete this session with everything it holds (`default` is emptied instead)."""
        self._call("DELETE", f"/api/v1/sessions/{self.name}")

    def info(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/api/v1/sessions/{self.name}")
        return result

    @property
    def listeners(self) -> dict[str, str]:
        result: dict[str, str] = self._call("GET", "/health")["listeners"]
        return result

    @property
    def smtp(self) -> tuple[str, int]:
        """(host, port) of the SMTP capture listener; log in as this session's name to reach it."""
        host, _, port = self.listeners["smtp"].split("//", 1)[-1].rpartition(":")
        return host.strip("[]"), int(port)

    @property
    def proxy_url(self) -> str:
        """The proxy URL whose credentials route traffic to this session."""
        proxy = self.listeners["proxy"]
        return proxy.replace("://", f"://{self.name}:x@", 1)

    @property
    def mail(self) -> Mailbox:
        """This session's captured mail: list, get, wait(to=..., timeout=...), links, presets."""
        return Mailbox(self.url, session=self.name, token=self.token)

    # -- presets --------------------------------------------------------------------------

    def when(
        self,
        rule: str = "",
        *,
        host: str | None = None,
        headers: dict[str, str] | None = None,
        body: str | None = None,
        data: dict[str, str] | None = None,
        json: Any = None,
    ) -> "PresetBuilder":
        """Start a preset: requests matching this rule get the `.reply(...)` that follows."""
        matcher = {
            "rule": rule,
            "headers": headers,
            "body": body,
            "data": data,
            "host": host,
            "json": json,
        }
        return PresetBuilder(self, {k: v for k, v in matcher.items() if v is not None})

    def presets(self) -> list[dict[str, Any]]:
        return self._all("/api/v1/presets", self._scope)

    def clear_presets(self) -> None:
        self._call("DELETE", "/api/v1/presets", params=self._scope)

    # -- modes and cassettes --------------------------------------------------------------

    def mode(self) -> dict[str, Any]:
        """This session's mode, cassettes and replay settings."""
        result: dict[str, Any] = self._call("GET", "/api/v1/mode", params=self._scope)
        return result

    def set_mode(self, **fields: Any) -> dict[str, Any]:
        """Switch this session's mode: mode, cassettes, on_miss or record_mode, repeat, match_on,
        replay_speed, ignore, max_age, on_stale."""
        body = {name: value for name, value in fields.items() if value is not None}
        result: dict[str, Any] = self._call("PUT", "/api/v1/mode", json=body, params=self._scope)
        return result

    def use_cassette(
        self,
        path: str | Path,
        mode: str = "once",
        *,
        match_on: list[str] | None = None,
        repeat: str | None = None,
        replay_speed: float | None = None,
        ignore: list[str] | None = None,
        max_age: str | None = None,
        on_stale: str | None = None,
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
        return self.set_mode(
            record_mode=mode.strip().lower(),  # VCR.py's names, in any case
            cassettes=[str(Path(path).absolute())],
            match_on=match_on,
            repeat=repeat,
            replay_speed=replay_speed,
            ignore=ignore,
            max_age=max_age,
            on_stale=on_stale,
        )

    # -- requests -------------------------------------------------------------------------

    def requests(self, **filters: Any) -> list[RecordedRequest]:
        """What this session received (filters: method, host, path regex, source, since), every
        page of it."""
        items = self._all("/api/v1/requests", {**filters, **self._scope})
        return [RecordedRequest.from_json(item) for item in items]

    def wait_for_requests(
        self, count: int = 1, *, timeout: float = 10.0, **filters: Any
    ) -> list[RecordedRequest]:
        """Block until `count` matching requests arrived; WaitTimeoutError (an AssertionError)
        on timeout, its `seen` holding those that did."""
        params = {**filters, **self._scope, "wait": timeout, "count": count, "limit": PAGE}
        answer = self.http.get("/api/v1/requests", params=params, timeout=timeout + 10)
        if answer.status_code == 408:  # the server lists only the latest few: ask for them all
            raise WaitTimeoutError(answer.json()["error"], self.requests(**filters))
        items = self._ok(answer)
        if following := answer.headers.get(NEXT_CURSOR):
            items += self._all("/api/v1/requests", {**filters, **self._scope}, following)
        return [RecordedRequest.from_json(item) for item in items]

    def misses(self) -> list[RecordedRequest]:
        items = self._all("/api/v1/misses", self._scope)
        return [RecordedRequest.from_json(item) for item in items]

    def reset(self) -> None:
        """Forget this session's presets and requests."""
        self.clear_presets()
        self._call("DELETE", "/api/v1/requests", params=self._scope)

    # -- assertions -----------------------------------------------------------------------

    def assert_requested(
        self,
        rule: str = "",
        *,
        host: str | None = None,
        headers: dict[str, str] | None = None,
        body: str | None = None,
        json: Any = None,
        times: int | None = None,
        at_least: int | None = None,
        at_most: int | None = None,
        wait: float | None = None,
    ) -> list[int]:
        """Assert the session received matching requests (at least once by default);
        the AssertionError carries the server's near-miss explanation. Returns their ids.

        With `wait` (seconds), a count still not met then is a WaitTimeoutError (an
        AssertionError) whose `seen` holds the matching requests that did arrive."""
        matcher = {"rule": rule, "host": host, "headers": headers, "body": body, "json": json}
        check = {
            "rule": {k: v for k, v in matcher.items() if v is not None},
            "times": times,
            "at_least": at_least,
            "at_most": at_most,
            "wait": wait,
        }
        check = {k: v for k, v in check.items() if v is not None}
        answer = self.http.post(
            "/api/v1/verify", json=check, params=self._scope, timeout=(wait or 0) + 30
        )
        if answer.status_code == 409:
            verdict = answer.json()
            if wait:
                ids = set(verdict["matched"])
                seen = [r for r in self.requests() if r.id in ids]
                raise WaitTimeoutError(verdict["error"], seen, status=409)
            raise AssertionError(verdict["error"])
        matched: list[int] = self._ok(answer)["matched"]
        return matched

    def assert_no_misses(self) -> None:
        """Assert that every request of this session was answered by a preset or recording."""
        if misses := self.misses():
            report = "\n".join(m.miss or f"{m.method} {m.url}" for m in misses)
            raise AssertionError(f"{len(misses)} request(s) matched nothing:\n{report}")

    def assert_all_played(self) -> None:
        """Assert that every preset served and (in replay) every recording answered."""
        unused = self._call("GET", "/api/v1/unused", params=self._scope)
        never = [f"preset {p['id']} (rule {p['rule']['rule']!r})" for p in unused["presets"]]
        never += [
            f"recording {r['method']} {r['url']} ({r['cassette']} #{r['position']})"
            for r in unused["recordings"]
        ]
        if never:
            raise AssertionError("never used: " + ", ".join(never))

    # -- plumbing -------------------------------------------------------------------------

    @property
    def _scope(self) -> dict[str, str]:
        return {"session": self.name}

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._ok(self.http.request(method, path, **kwargs))

    def _all(self, path: str, params: dict[str, Any], cursor: str | None = None) -> list[Any]:
        """Every item of a paged list, page after page (from `cursor` when given)."""
        items: list[Any] = []
        while True:
            page = {**params, "limit": PAGE} | ({"cursor": cursor} if cursor else {})
            answer = self.http.get(path, params=page)
            items += self._ok(answer)
            if not (cursor := answer.headers.get(NEXT_CURSOR)):
                return items

    @staticmethod
    def _ok(answer: httpx.Response) -> Any:
        if answer.status_code >= 400:
            try:
                message = answer.json()["error"]
            except (ValueError, KeyError, TypeError):
                message = answer.text
            raise APIError(answer.status_code, message)
        return answer.json() if answer.content else None


class PresetBuilder:
    """The second half of `Pretenders.when(...)`: `.reply(...)` adds the preset."""

    def __init__(self, client: Pretenders, rule: dict[str, Any]) -> None:
        self.client = client
        self.rule = rule

    def reply(
        self,
        body: bytes | str | dict[str, Any] | list[Any] = b"",
        *,
        status: int = 200,
        headers: Headers | None = None,
        times: int | str = FOREVER,
        after: float = 0,
        fault: str | None = None,
        chunks: Sequence[tuple[str | bytes, float]] | None = None,
    ) -> dict[str, Any]:
        """Answer matching requests with this reply: bytes, text, or a JSON object/array; or
        streamed in `chunks`, (data, seconds after the previous chunk) each."""
        preset: dict[str, Any] = {
            "rule": self.rule,
            "status": status,
            "times": times,
            "after": after,
            "headers": headers or {},
        }
        if isinstance(body, bytes):
            preset["body"] = base64.b64encode(body).decode("ascii")
        elif isinstance(body, str):
            preset["text"] = body
        else:
            preset["body"] = body
        if fault is not None:
            preset["fault"] = fault
        if chunks is not None:
            preset["chunks"] = [_chunk(data, gap) for data, gap in chunks]
        return self._add(preset)

    def websocket(
        self,
        *,
        send: Sequence[str] = (),
        replies: Mapping[str, Sequence[str]] | None = None,
        close: int | None = None,
        times: int | str = FOREVER,
    ) -> dict[str, Any]:
        """Answer a matching WebSocket handshake and play a conversation, offline: `send` once
        the socket opens (then close with `close`, if given), and to each text message named in
        `replies` its answers; a message no reply names closes the socket with 1008 and is a
        miss. (The API's `websocket` field also closes after a reply.)"""
        answers = [{"on": on, "send": list(sent)} for on, sent in (replies or {}).items()]
        script = {"send": list(send), "replies": answers, "close": close}
        return self._add({"rule": self.rule, "times": times, "websocket": script})

    def _add(self, preset: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.client._call(
            "POST", "/api/v1/presets", json=preset, params=self.client._scope
        )
        return result


def _chunk(data: str | bytes, after: float) -> dict[str, Any]:
    if isinstance(data, bytes):
        return {"data_base64": base64.b64encode(data).decode("ascii"), "after": after}
    return {"data": data, "after": after}
