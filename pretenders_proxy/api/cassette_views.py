"""JSON views of a session's mode, its recordings and its cassettes' exchanges."""

from collections.abc import Mapping
from typing import Any

from pretenders_proxy.api.views import PREVIEW, header_pairs, preview
from pretenders_proxy.matching.subject import decoded_body
from pretenders_proxy.model.exchange import Exchange
from pretenders_proxy.model.http import header
from pretenders_proxy.store import Session
from pretenders_proxy.store.staleness import show_duration
from pretenders_proxy.store.tape import Recorded


def mode(session: Session, problems: Mapping[str, str], speed: float) -> dict[str, Any]:
    """A session's mode; `problems`: the cassettes that failed to record, and why; `speed`: the
    server's --replay-speed, for a session that sets none."""
    playback = session.playback
    config = playback.config
    return {
        "session": session.name,
        "mode": str(config.mode),
        "cassettes": list(config.cassettes),
        "on_miss": str(config.on_miss),
        "repeat": str(config.repeat),
        "match_on": list(playback.tape.spec.fields),
        "replay_speed": speed if config.replay_speed is None else config.replay_speed,
        "ignore": list(playback.tape.spec.ignore.specs),
        "max_age": show_duration(config.max_age) or None,
        "on_stale": str(config.on_stale),
        "recordings": len(playback.tape),
        "recording_to": config.recording,
        "recording_error": problems.get(config.recording) if config.recording else None,
        "warnings": list(playback.warnings),
    }


def recording(recorded: Recorded, session: str) -> dict[str, Any]:
    """A recorded exchange, briefly: where it is stored and what it answers."""
    request = recorded.request
    return {
        "session": session,
        "cassette": recorded.cassette,
        "position": recorded.position,
        "method": request.method,
        "url": request.url,
        "status": recorded.status,
    }


def cassette_exchange(exchange: Exchange, position: int) -> dict[str, Any]:
    """A cassette's exchange for a listing: the request, the answer, bodies previewed."""
    request, response = exchange.request, exchange.response
    return {
        "position": position,
        "method": request.method,
        "url": request.url,
        "status": response.status,
        "recorded_at": exchange.meta.recorded_at,
        "duration_ms": round(exchange.meta.duration_ms, 3),
        "request_headers": header_pairs(request.headers),
        "request_body": preview(decoded_body(request.body, request.headers, PREVIEW + 1)),
        "request_size": len(request.body),
        "response_headers": header_pairs(response.headers),
        "response_body": preview(decoded_body(response.body, response.headers, PREVIEW + 1)),
        "response_size": len(response.body),
        "response_encoding": header(response.headers, "content-encoding"),
    }
