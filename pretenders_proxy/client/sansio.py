"""The clients' calls without their I/O: a call is a generator of the requests it sends (`Call`),
fed each answer in turn; `drive` runs one over an httpx.Client, `adrive` over an AsyncClient.
Both clients, sync and async, are these calls and one line of I/O each."""

from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from pretenders_proxy.errors import APIError

PAGE = 1000
"""Items asked for per page of a list (the server's most); the client follows every page."""
NEXT_CURSOR = "X-Next-Cursor"


@dataclass(frozen=True)
class Call:
    """One request to the control API, relative to the server's URL."""

    method: str
    path: str
    params: Mapping[str, Any] | None = None
    json: Any = None
    timeout: float | None = None
    """Seconds for this call (one that waits on the server), instead of the client's own."""

    def options(self) -> dict[str, Any]:
        """The arguments of httpx's `request()` for this call."""
        timeout = httpx.USE_CLIENT_DEFAULT if self.timeout is None else self.timeout
        return {
            "method": self.method,
            "url": self.path,
            "params": self.params,
            "json": self.json,
            "timeout": timeout,
        }


type Steps[T] = Generator[Call, httpx.Response, T]
"""A client call: sends Calls, is sent their answers, returns its result (or raises)."""


def drive[T](http: httpx.Client, steps: Steps[T]) -> T:
    """Run a call, its requests sent one after the other on `http`."""
    try:
        call = next(steps)
        while True:
            call = steps.send(http.request(**call.options()))
    except StopIteration as done:
        result: T = done.value
        return result


async def adrive[T](http: httpx.AsyncClient, steps: Steps[T]) -> T:
    """Run a call, its requests sent one after the other on `http`, awaited."""
    try:
        call = next(steps)
        while True:
            call = steps.send(await http.request(**call.options()))
    except StopIteration as done:
        result: T = done.value
        return result


def checked(answer: httpx.Response) -> httpx.Response:
    """The answer, or the server's refusal as APIError (its status and message)."""
    if answer.status_code < 400:
        return answer
    try:
        message = str(answer.json()["error"])
    except (ValueError, KeyError, TypeError):
        message = answer.text
    raise APIError(answer.status_code, message)


def ok(answer: httpx.Response) -> Any:
    """The JSON of a successful answer (None when empty); APIError otherwise."""
    checked(answer)
    return answer.json() if answer.content else None


def fetch(call: Call) -> Steps[Any]:
    """One request, its JSON answer."""
    return ok((yield call))


def pages(path: str, params: Mapping[str, Any], cursor: str | None = None) -> Steps[list[Any]]:
    """Every item of a paged list, page after page (from `cursor` when given)."""
    items: list[Any] = []
    while True:
        page = {**params, "limit": PAGE} | ({"cursor": cursor} if cursor else {})
        answer = yield Call("GET", path, page)
        items += ok(answer)
        if not (cursor := answer.headers.get(NEXT_CURSOR)):
            return items
