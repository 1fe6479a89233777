"""`RecordedRequest`: a request the server received, as both clients return it."""

import base64
import json
from dataclasses import dataclass
from typing import Any


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
