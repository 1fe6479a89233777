"""A recorded exchange: the request, the response as received, the WebSocket conversation that
followed it (if any), and how it was recorded."""

from dataclasses import dataclass

from pretenders_proxy.model.http import Request, Response
from pretenders_proxy.model.stream import Conversation

REDACTED = b"<redacted>"
"""What a secret header or query value is replaced with at record time."""


@dataclass(frozen=True, slots=True)
class Meta:
    """When and how an exchange was recorded; `redacted` names what was replaced by REDACTED."""

    recorded_at: str = ""
    duration_ms: float = 0.0
    redacted: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Exchange:
    request: Request
    response: Response
    meta: Meta = Meta()
    websocket: Conversation | None = None
