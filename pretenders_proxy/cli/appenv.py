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
class Destination:
    """Where an app's traffic goes: `session` on the server at `control`, through `proxy`."""

    control: str
    session: str
    proxy: str
    files: Files

    def environment(self, inherited: dict[str, str] | None = None) -> list[tuple[str, str]]:
        """The variables for an app, and PRETENDERS_URL / PRETENDERS_SESSION for its tests."""
        url = urlsplit(self.control)
        direct = no_proxy(url.hostname or "127.0.0.1", url.port or 80)
        found = variables(self.proxy, direct, self.files, inherited)
        return [*found, ("PRETENDERS_URL", self.control), ("PRETENDERS_SESSION", self.session)]


def connect(control: str, session: str | None, confdir: Path) -> Destination:
    """Open `session` (a fresh one when None) with its own proxy port on the server at
    `control`, and write the client files for its CA; APIError naming what went wrong."""
    control = control.rstrip("/")
    try:
        with httpx.Client(base_url=control, timeout=30, trust_env=False) as http:
            body = {"name": session, "proxy_port": True}
            opened = _ok(http.post("/api/v1/sessions", json=body)).json()
            ca = _ok(http.get("/ca.pem"))
    except httpx.HTTPError as e:
        raise APIError(0, f"no pretenders server answers at {control} ({e})") from e
    host = urlsplit(control).hostname or "127.0.0.1"
    proxy = f"http://{netloc(host, int(opened['proxy_port']))}"
    files = client_files(ca_folder(confdir.expanduser(), ca.content))
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


def call(control: str, method: str, path: str, **options: Any) -> Any:
    """One control API call; APIError with the server's message when it refuses."""
    with httpx.Client(base_url=control, timeout=30, trust_env=False) as http:
        answer = _ok(http.request(method, path, **options))
    return answer.json() if answer.content else None


def _ok(answer: httpx.Response) -> httpx.Response:
    if answer.status_code >= 400:
        try:
            message = answer.json()["error"]
        except (ValueError, KeyError, TypeError):
            message = answer.text
        raise APIError(answer.status_code, str(message))
    return answer
