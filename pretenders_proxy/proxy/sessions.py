"""Which session a proxied request belongs to: the user name of its proxy credentials, else
the session whose own proxy port it came in on, else `default`."""

import base64
import binascii
import weakref

from mitmproxy import connection, http

from pretenders_proxy.errors import TooManySessionsError
from pretenders_proxy.proxy.session_ports import SessionPorts
from pretenders_proxy.proxy.tags import tags
from pretenders_proxy.server.runtime import Runtime
from pretenders_proxy.store.session import Session, SessionProtocol
from pretenders_proxy.store.sessions import DEFAULT_SESSION

PROXY_AUTHORIZATION = "Proxy-Authorization"


def user_of(authorization: str) -> str | None:
    """The user name of a `Basic` credential, or None when there is none or it is malformed."""
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, _ = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user or None


class SessionRouter:
    """Tags each flow with its session; the credentials never travel on to the upstream.

    HTTPS requests inside a CONNECT tunnel inherit the credentials of the CONNECT, and so does
    what a tunnel carries that is not HTTP (`session_of_client`).
    """

    def __init__(self, runtime: Runtime, ports: SessionPorts) -> None:
        self.runtime = runtime
        self.ports = ports
        self.tunnels: weakref.WeakKeyDictionary[connection.Client, str] = (
            weakref.WeakKeyDictionary()
        )
        self.latest: weakref.WeakKeyDictionary[connection.Client, str] = weakref.WeakKeyDictionary()
        """The session of what each client connection sent last: its CONNECT or a request."""

    def http_connect(self, flow: http.HTTPFlow) -> None:
        user = self._take_user(flow)
        if user is not None:
            self.tunnels[flow.client_conn] = user
        self.latest[flow.client_conn] = user or self._unnamed(flow.client_conn)

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        client = flow.client_conn
        name = self._take_user(flow) or self.tunnels.get(client) or self._unnamed(client)
        try:
            session = self._open(name)
        except TooManySessionsError as e:  # a new name past --max-sessions: said, not answered
            tags(flow)["session"] = name  # no such session: nothing journals the refusal
            flow.response = http.Response.make(
                429, f"pretenders: {e}\n", {"Content-Type": "text/plain; charset=utf-8"}
            )
            return
        tags(flow)["session"] = session.name
        self.latest[flow.client_conn] = session.name

    def session_of_client(self, client: connection.Client) -> Session | None:
        """The session of what `client` sends that is not HTTP (a tunnel's bytes, a protocol
        upgrade): that of its last CONNECT or request; its port's (or `default`) when it sent
        neither; None
        when that is a new name past --max-sessions."""
        try:
            return self._open(self.latest.get(client) or self._unnamed(client))
        except TooManySessionsError:
            return None

    def _unnamed(self, client: connection.Client) -> str:
        """The session of what names none: its port's, or `default`."""
        return self.ports.session_of(client) or DEFAULT_SESSION

    def _open(self, name: str) -> Session:
        store = self.runtime.store
        session = store.open(name, SessionProtocol.HTTP)
        store.touch(session)
        return session

    @staticmethod
    def _take_user(flow: http.HTTPFlow) -> str | None:
        headers = flow.request.headers
        if not headers.get_all(PROXY_AUTHORIZATION):  # most requests: pop() would raise inside
            return None
        authorization = headers.pop(PROXY_AUTHORIZATION)
        return user_of(authorization) if authorization else None
