"""What the pretenders 1.4 clients share: one reused connection to the control API ("boss")."""

import base64
import http.client
import json
from datetime import datetime, timedelta
from typing import Any

from pretenders_proxy.constants import FOREVER
from pretenders_proxy.errors import ResourceNotFound, UnexpectedResponseStatus


class Connection:
    """Calls to the boss, each on its own short connection (nothing is left open)."""

    def __init__(self, host: str, port: int, timeout: float = 60) -> None:
        self.host, self.port, self.timeout = host, port, timeout

    def call(self, method: str, url: str, body: Any = None) -> tuple[int, bytes]:
        payload = None if body is None else json.dumps(body)
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, url, body=payload)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()


class Pretender:
    """A mock as `GET /http/<id>` describes it (start, timeout, last_call, name, protocol)."""

    def __init__(self, start: str, timeout: str, last_call: str, name: str, protocol: str) -> None:
        self.start = datetime.strptime(start.split(".")[0], "%Y-%m-%d %H:%M:%S")
        self.last_call = datetime.strptime(last_call.split(".")[0], "%Y-%m-%d %H:%M:%S")
        self.name = name
        self.protocol = protocol
        self.timeout: timedelta | str = FOREVER
        if timeout != FOREVER:
            hours, minutes, seconds = timeout.split(":")
            self.timeout = timedelta(hours=int(hours), minutes=int(minutes), seconds=float(seconds))

    def __str__(self) -> str:
        return f"Name: {self.name}, last_call: {self.last_call}, timeout: {self.timeout}"


class BossClient:
    """Creates (or reuses, by name) a mock on the boss and reaches its presets and history."""

    mock_type = ""

    def __init__(self, host: str, port: int, timeout: Any = None, name: str | None = None) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self.name = name
        self.full_host = f"{host}:{port}"
        self.boss = Connection(host, port)
        self.pretender_details: dict[str, Any] = self._create() if self.mock_type else {}

    def _create(self) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name}
        if self.timeout:
            body["pretender_timeout"] = self.timeout
        _, data = self.boss.call("POST", f"/{self.mock_type}", body)
        details: dict[str, Any] = json.loads(data.decode("ascii"))
        return details

    @property
    def pretend_access_point_id(self) -> str:
        return str(self.pretender_details.get("id", ""))

    @property
    def pretend_access_point(self) -> str:
        return self.full_host

    def reset(self) -> "BossClient":
        """Forget the mock's history and presets."""
        self.boss.call("DELETE", f"/history/{self.pretend_access_point_id}")
        self.boss.call("DELETE", f"/preset/{self.pretend_access_point_id}")
        return self

    def delete_mock(self) -> None:
        status, _ = self.boss.call("DELETE", f"/{self.mock_type}/{self.pretend_access_point_id}")
        if status != 200:
            raise Exception("Delete failed")

    def get_pretender(self) -> Pretender:
        status, data = self.boss.call("GET", f"/{self.mock_type}/{self.pretend_access_point_id}")
        if status == 404:
            raise ResourceNotFound("The mock server for this client was shutdown.")
        if status != 200:
            raise UnexpectedResponseStatus(status)
        return Pretender(**json.loads(data.decode("ascii")))

    def history_list(self) -> list[dict[str, Any]]:
        _, data = self.boss.call("GET", f"/history/{self.pretend_access_point_id}")
        items: list[dict[str, Any]] = json.loads(data.decode("ascii"))
        return items

    def history_item(self, position: int) -> dict[str, Any] | None:
        status, data = self.boss.call("GET", f"/history/{self.pretend_access_point_id}/{position}")
        if status != 200:
            return None
        item: dict[str, Any] = json.loads(data.decode("ascii"))
        return item


def b64(data: bytes | str) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return base64.b64encode(raw).decode("ascii")
