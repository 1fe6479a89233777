"""A v1 session's calls without their I/O (sansio.Steps), and what both clients of a session
hold; `Pretenders` (v1.py) and `AsyncPretenders` (aio.py) run these calls, nothing more."""

from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import urlsplit

from pretenders_proxy.client.presets import Preset
from pretenders_proxy.client.recorded import RecordedRequest
from pretenders_proxy.client.sansio import NEXT_CURSOR, PAGE, Call, Steps, checked, fetch, ok, pages
from pretenders_proxy.errors import WaitTimeoutError

DEFAULT_URL = "http://127.0.0.1:8000"


class ClientOptions(TypedDict, total=False):
    """Which session a client drives, its token, and its calls' timeout (seconds)."""

    session: str
    token: str | None
    timeout: float


class Verification(TypedDict, total=False):
    """What `assert_requested(rule, ...)` checks: the rule's other parts, the count, the wait."""

    host: str | None
    headers: dict[str, str] | None
    body: str | None
    json: Any
    times: int | None
    at_least: int | None
    at_most: int | None
    wait: float | None


class CassetteOptions(TypedDict, total=False):
    """How `use_cassette(path, mode, ...)` matches and replays (Pretenders.use_cassette)."""

    match_on: list[str] | None
    repeat: str | None
    replay_speed: float | None
    ignore: list[str] | None
    max_age: str | None
    on_stale: str | None


class SessionClient:
    """What both clients hold: the server, the session, the token, and the session's calls."""

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        session: str = "default",
        token: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.name = session
        self.token = token
        self.timeout = timeout
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.calls = SessionCalls(session)


class SessionCalls:
    """Every call on one session, as Steps."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.scope = {"session": name}

    def create(
        self, name: str | None, timeout: float | str | None, record_history: bool | None = None
    ) -> Steps[str]:
        """A new session (or the live one of that name, `record_history` set on it when given);
        its name."""
        body: dict[str, Any] = {"name": name}
        if timeout is not None:
            body["timeout"] = timeout
        if record_history is not None:
            body["record_history"] = record_history
        created = yield from fetch(Call("POST", "/api/v1/sessions", json=body))
        return str(created["name"])

    def delete(self) -> Steps[None]:
        yield from fetch(Call("DELETE", f"/api/v1/sessions/{self.name}"))

    def info(self) -> Steps[dict[str, Any]]:
        found: dict[str, Any] = yield from fetch(Call("GET", f"/api/v1/sessions/{self.name}"))
        return found

    def listeners(self) -> Steps[dict[str, str]]:
        health = yield from fetch(Call("GET", "/health"))
        found: dict[str, str] = health["listeners"]
        return found

    def smtp(self) -> Steps[tuple[str, int]]:
        listeners = yield from self.listeners()
        host, _, port = listeners["smtp"].split("//", 1)[-1].rpartition(":")
        return host.strip("[]"), int(port)

    def proxy_url(self) -> Steps[str]:
        listeners = yield from self.listeners()
        return listeners["proxy"].replace("://", f"://{self.name}:x@", 1)

    def own_proxy(self) -> Steps[str]:
        """The URL of a forward-proxy port of this session's own, opened if needed: what
        arrives there is this session's without credentials (Java sends none)."""
        body = {"name": self.name, "proxy_port": True}
        opened = yield from fetch(Call("POST", "/api/v1/sessions", json=body))
        listeners = yield from self.listeners()
        host = urlsplit(listeners["proxy"]).hostname or "127.0.0.1"
        return f"http://{f'[{host}]' if ':' in host else host}:{opened['proxy_port']}"

    def add_preset(self, preset: Preset) -> Steps[dict[str, Any]]:
        added = yield from fetch(Call("POST", "/api/v1/presets", self.scope, preset))
        result: dict[str, Any] = added
        return result

    def presets(self) -> Steps[list[dict[str, Any]]]:
        return (yield from pages("/api/v1/presets", self.scope))

    def clear_presets(self) -> Steps[None]:
        yield from fetch(Call("DELETE", "/api/v1/presets", self.scope))

    def mode(self) -> Steps[dict[str, Any]]:
        found: dict[str, Any] = yield from fetch(Call("GET", "/api/v1/mode", self.scope))
        return found

    def set_mode(self, **fields: Any) -> Steps[dict[str, Any]]:
        body = {name: value for name, value in fields.items() if value is not None}
        found: dict[str, Any] = yield from fetch(Call("PUT", "/api/v1/mode", self.scope, body))
        return found

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
    ) -> Steps[dict[str, Any]]:
        return (
            yield from self.set_mode(
                record_mode=mode.strip().lower(),  # VCR.py's names, in any case
                cassettes=[str(Path(path).absolute())],  # the server reads and writes it
                match_on=match_on,
                repeat=repeat,
                replay_speed=replay_speed,
                ignore=ignore,
                max_age=max_age,
                on_stale=on_stale,
            )
        )

    def requests(self, **filters: Any) -> Steps[list[RecordedRequest]]:
        items = yield from pages("/api/v1/requests", {**filters, **self.scope})
        return [RecordedRequest.from_json(item) for item in items]

    def wait_for_requests(
        self, count: int, timeout: float, filters: dict[str, Any]
    ) -> Steps[list[RecordedRequest]]:
        params = {**filters, **self.scope, "wait": timeout, "count": count, "limit": PAGE}
        answer = yield Call("GET", "/api/v1/requests", params, timeout=timeout + 10)
        if answer.status_code == 408:  # the server lists only the latest few: ask for them all
            seen = yield from self.requests(**filters)
            raise WaitTimeoutError(answer.json()["error"], seen)
        items = ok(answer)
        if following := answer.headers.get(NEXT_CURSOR):
            items += yield from pages("/api/v1/requests", {**filters, **self.scope}, following)
        return [RecordedRequest.from_json(item) for item in items]

    def misses(self) -> Steps[list[RecordedRequest]]:
        items = yield from pages("/api/v1/misses", self.scope)
        return [RecordedRequest.from_json(item) for item in items]

    def reset(self) -> Steps[None]:
        yield from self.clear_presets()
        yield from fetch(Call("DELETE", "/api/v1/requests", self.scope))

    def assert_requested(self, rule: str = "", **check: Any) -> Steps[list[int]]:
        wait = check.get("wait")
        body = verification(rule, **check)
        answer = yield Call("POST", "/api/v1/verify", self.scope, body, timeout=(wait or 0) + 30)
        if answer.status_code == 409 and "matched" in answer.json():  # else: no history
            verdict = answer.json()
            if wait:
                ids = set(verdict["matched"])
                seen = [r for r in (yield from self.requests()) if r.id in ids]
                raise WaitTimeoutError(verdict["error"], seen, status=409)
            raise AssertionError(verdict["error"])
        matched: list[int] = checked(answer).json()["matched"]
        return matched

    def assert_no_misses(self) -> Steps[None]:
        if misses := (yield from self.misses()):
            report = "\n".join(m.miss or f"{m.method} {m.url}" for m in misses)
            raise AssertionError(f"{len(misses)} request(s) matched nothing:\n{report}")

    def assert_all_played(self) -> Steps[None]:
        unused = yield from fetch(Call("GET", "/api/v1/unused", self.scope))
        never = [f"preset {p['id']} (rule {p['rule']['rule']!r})" for p in unused["presets"]]
        never += [
            f"recording {r['method']} {r['url']} ({r['cassette']} #{r['position']})"
            for r in unused["recordings"]
        ]
        if never:
            raise AssertionError("never used: " + ", ".join(never))


def verification(
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
) -> dict[str, Any]:
    """The body of POST /api/v1/verify: the rule's given parts, the count, the wait."""
    matcher = {"rule": rule, "host": host, "headers": headers, "body": body, "json": json}
    check = {
        "rule": {k: v for k, v in matcher.items() if v is not None},
        "times": times,
        "at_least": at_least,
        "at_most": at_most,
        "wait": wait,
    }
    return {k: v for k, v in check.items() if v is not None}
