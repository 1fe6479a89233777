"""An app's way through a running server: a session with a proxy port of its own, the server's
CA in client files, and the variables (environment.variables) that send the app there."""

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from pretenders_proxy.certs import CA_CERT
from pretenders_proxy.environment.files import client_files
from pretenders_proxy.environment.variables import Files, no_proxy, variables
from pretenders_proxy.errors import APIError
from pretenders_proxy.server.binding import netloc


@dataclass(frozen=True)
class Control:
    """A server's control API: its URL and the token it wants (--token), if any."""

    url: str
    token: str | None = None

    def call(self, method: str, path: str, **options: Any) -> Any:
        """One call's JSON (None when empty); APIError with the server's message if refused."""
        answer = self.answer(method, path, **options)
        return answer.json() if answer.content else None

    def answer(self, method: str, path: str, **options: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        # trust_env off: the proxy variables set for the app must not route control calls
        with httpx.Client(base_url=self.url, headers=headers, timeout=30, trust_env=False) as http:
            try:
                answer = http.request(method, path, **options)
            except httpx.HTTPError as e:
                raise APIError(0, f"no pretenders server answers at {self.url} ({e})") from e
        if answer.status_code >= 400:
            try:
                message = answer.json()["error"]
            except (ValueError, KeyError, TypeError):
                message = answer.text
            raise APIError(answer.status_code, f"{self.url}: {message}")
        return answer


@dataclass(frozen=True)
class Destination:
    """Where an app's traffic goes: `session` on the server at `control`, through `proxy`."""

    control: Control
    session: str
    proxy: str
    files: Files

    @property
    def scope(self) -> dict[str, str]:
        return {"session": self.session}

    def environment(self, inherited: dict[str, str] | None = None) -> list[tuple[str, str]]:
        """The variables for an app, and PRETENDERS_URL / PRETENDERS_SESSION for its tests."""
        url = urlsplit(self.control.url)
        direct = no_proxy(url.hostname or "127.0.0.1", url.port or 80)
        found = variables(self.proxy, direct, self.files, inherited)
        return [*found, ("PRETENDERS_URL", self.control.url), ("PRETENDERS_SESSION", self.session)]


def connect(control: Control, session: str | None, confdir: Path) -> Destination:
    """Open `session` (a fresh one when None) with its own proxy port on the server, and write
    the client files for its CA; APIError naming what went wrong."""
    opened = control.call("POST", "/api/v1/sessions", json={"name": session, "proxy_port": True})
    ca = control.answer("GET", "/ca.pem").content
    host = urlsplit(control.url).hostname or "127.0.0.1"
    proxy = f"http://{netloc(host, int(opened['proxy_port']))}"
    files = client_files(ca_folder(confdir.expanduser(), ca))
    return Destination(control, str(opened["name"]), proxy, files)


def ca_folder(confdir: Path, ca: bytes) -> Path:
    """Where the client files for the CA `ca` go: `confdir` when it is confdir's own CA (a
    server on this machine), else a folder of its own under confdir/servers."""
    own = confdir / CA_CERT
    if own.exists() and own.read_bytes() == ca:
        return confdir
    folder = confdir / "servers" / hashlib.sha256(ca).hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / CA_CERT).exists():
        (folder / CA_CERT).write_bytes(ca)
    return folder
