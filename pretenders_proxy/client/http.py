"""`HTTPMock`, the pretenders 1.4 HTTP mock client, same API as `pretenders.client.http`."""

import base64
import copy
from typing import Any

from pretenders_proxy.client.boss import BossClient, b64
from pretenders_proxy.errors import ConfigurationError


class MatchRule:
    """What a request must look like: a regex on "METHOD /path?query", headers, body, form data."""

    def __init__(
        self,
        rule: str = "",
        headers: dict[str, str] | None = None,
        body: str | None = None,
        data: dict[str, str] | None = None,
    ) -> None:
        self.rule = rule
        self.headers = headers or {}
        self.body = body
        self.data = data

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "headers": self.headers, "body": self.body, "data": self.data}


class HistoryItem:
    """A request the mock received: `.method`, `.url`, `.headers`, `.body` (bytes), `.rule`."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def __getattr__(self, name: str) -> Any:
        try:
            return self.data[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self.data[name]

    @property
    def body(self) -> bytes:
        return base64.b64decode(self.data["body"])

    def as_dict(self) -> dict[str, Any]:
        return self.data


class HTTPMock(BossClient):
    """An HTTP mock on a pretenders server, as seen from a test.

    mock = HTTPMock("localhost", 8000)
    mock.when("GET /hello").reply(b"Hello", status=200)
    ...  # the app calls mock.pretend_url + "/hello"
    assert mock.get_request(0).url == "/hello"
    """

    mock_type = "http"

    def __init__(self, host: str, port: int, timeout: Any = None, name: str | None = None) -> None:
        super().__init__(host, port, timeout, name)
        self.rule: MatchRule | str = ""

    @property
    def pretend_access_path(self) -> str:
        return str(self.pretender_details["path"])

    @property
    def pretend_url(self) -> str:
        netloc = self.host if self.port == 80 else f"{self.host}:{self.port}"
        return f"http://{netloc}{self.pretend_access_path}"

    def when(
        self,
        rule: str = "",
        headers: dict[str, str] | None = None,
        body: str | None = None,
        data: dict[str, str] | None = None,
    ) -> "HTTPMock":
        """A copy of this mock whose next `reply()` applies to requests matching the rule."""
        mock = copy.copy(self)
        mock.rule = MatchRule(rule, headers, body, data)
        return mock

    def reply(
        self,
        body: bytes | str = b"",
        status: int = 200,
        headers: dict[str, str] | None = None,
        times: int | str = 1,
        after: float = 0,
    ) -> "HTTPMock":
        """Add a preset: requests matching the rule get this reply, `times` times (or FOREVER)."""
        preset = {
            "headers": headers or {},
            "body": b64(body),
            "status": status,
            "rule": self.rule.as_dict() if isinstance(self.rule, MatchRule) else self.rule,
            "times": times,
            "after": after,
        }
        code, answer = self.boss.call("POST", f"/preset/{self.pretend_access_point_id}", preset)
        if code != 200:
            raise ConfigurationError(answer.decode())
        return self

    def get_request(self, sequence_id: int | None = None) -> Any:
        """The n-th request received (None if there is none), or all of them without n."""
        if sequence_id is None:
            return [HistoryItem(item) for item in self.history_list()]
        item = self.history_item(sequence_id)
        return None if item is None else HistoryItem(item)
