"""JSON views of model objects: the one place bytes become text or base64.

Shared helpers and the HTTP views (sessions, presets, history) are here; mail_views.py and
cassette_views.py show mail and SMTP presets, and modes, recordings and cassettes.
"""

import base64
from datetime import datetime, timedelta
from typing import Any

from pretenders_proxy.constants import FOREVER
from pretenders_proxy.matching.subject import decoded_body, rule_target
from pretenders_proxy.model.http import Headers, header
from pretenders_proxy.model.journal import (
    MESSAGE_PREVIEW,
    REPLY_PREVIEW,
    REQUEST_PREVIEW,
    Entry,
    Heard,
    Talk,
)
from pretenders_proxy.model.preset import Rule, WsScript
from pretenders_proxy.store import Session, StoredPreset


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def text_or_none(data: bytes) -> str | None:
    """`data` as UTF-8 text, or None when binary: not UTF-8, or holding a NUL byte, which no
    text has and gRPC's length prefix nearly always does."""
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def header_pairs(headers: Headers) -> list[list[str]]:
    return [[name.decode("latin-1"), value.decode("latin-1")] for name, value in headers]


def header_dict(headers: Headers) -> dict[str, str]:
    """Headers as one object, as pretenders 1.4 showed them; repeats joined with ", "."""
    joined: dict[str, str] = {}
    for name, value in header_pairs(headers):
        joined[name] = f"{joined[name]}, {value}" if name in joined else value
    return joined


def timeout_text(seconds: float | None) -> str:
    """1.4's `str(timedelta)` (H:MM:SS[.ffffff]) or FOREVER; days are folded into hours."""
    if seconds is None:
        return FOREVER
    text = str(timedelta(seconds=seconds % 86400))
    if seconds >= 86400:
        hours, rest = text.split(":", 1)
        text = f"{int(hours) + 24 * int(seconds // 86400)}:{rest}"
    return text


def time_text(moment: datetime) -> str:
    return str(moment)


def pretender(session: Session) -> dict[str, Any]:
    """`GET /http/<id>` (1.4): exactly start, timeout, last_call, name, protocol."""
    return {
        "start": time_text(session.started),
        "timeout": timeout_text(session.timeout),
        "last_call": time_text(session.last_call),
        "name": session.name,
        "protocol": str(session.protocol),
    }


def rule(rule: Rule) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "rule": rule.rule,
        "headers": dict(rule.headers),
        "body": rule.body,
        "data": dict(rule.data) if rule.data is not None else None,
    }
    if rule.host is not None:
        shown["host"] = rule.host
    if rule.json is not None:
        shown["json"] = rule.json
    return shown


def preset_14(stored: StoredPreset) -> dict[str, Any]:
    """A preset as pretenders 1.4 lists it: as posted, `times` as originally given."""
    preset, reply = stored.preset, stored.preset.reply
    return {
        "headers": header_dict(reply.headers),
        "body": b64(reply.body),
        "status": reply.status,
        "rule": rule(preset.rule),
        "times": FOREVER if preset.times is None else preset.times,
        "after": reply.after,
    }


def preset(stored: StoredPreset, session: str) -> dict[str, Any]:
    reply = stored.preset.reply
    return {
        "id": stored.id,
        "session": session,
        "rule": rule(stored.preset.rule),
        "status": reply.status,
        "headers": header_pairs(reply.headers),
        "body": b64(reply.body),
        "text": text_or_none(reply.body),
        "times": FOREVER if stored.preset.times is None else stored.preset.times,
        "remaining": FOREVER if stored.remaining is None else stored.remaining,
        "served": stored.served,
        "after": reply.after,
        "fault": None if reply.fault is None else str(reply.fault),
        "chunks": [
            {"after": after, "data": text_or_none(data), "data_base64": b64(data)}
            for after, data in reply.chunks
        ]
        or None,
        "websocket": None if reply.websocket is None else script(reply.websocket),
    }


def script(script: WsScript) -> dict[str, Any]:
    replies = [{"on": r.on, "send": list(r.send), "close": r.close} for r in script.replies]
    return {"send": list(script.send), "replies": replies, "close": script.close}


def history_14(entry: Entry) -> dict[str, Any]:
    """A history item as pretenders 1.4 gives it (body base64, url relative to the mock)."""
    request = entry.request
    url = rule_target(request)
    return {
        "body": b64(request.body),
        "headers": header_dict(request.headers),
        "method": request.method,
        "url": url,
        "rule": f"{request.method} {url}",
    }


def entry(entry: Entry) -> dict[str, Any]:
    """A request as history kept it: its body at most REQUEST_PREVIEW bytes (`body_size` is the
    whole body's), and what it was answered with."""
    request = entry.request
    truncated = entry.body_truncated
    return {
        "id": entry.id,
        "time": iso_time(entry.time),
        "session": entry.session,
        "method": request.method,
        "url": request.url,
        "path": request.path.decode("latin-1"),
        "query": request.query.decode("latin-1"),
        "headers": header_pairs(request.headers),
        "body": preview(request.body, REQUEST_PREVIEW, cut=True)
        if truncated
        else text_or_none(request.body),
        "body_base64": b64(request.body),
        "body_size": entry.body_size,
        "body_truncated": truncated,
        "source": str(entry.source),
        "protocol": str(entry.protocol),
        "status": entry.status,
        "duration_ms": round(entry.duration_ms, 3),
        "preset": entry.preset_id,
        "miss": entry.miss,
        "error": entry.error,
        "stale": entry.stale,
        "response": reply(entry),
        "websocket": None if entry.websocket is None else talk(entry.websocket),
    }


def talk(kept: Talk) -> dict[str, Any]:
    """A WebSocket conversation as history kept it (the first messages, each cut short)."""
    return {
        "messages": [heard(message) for message in kept.messages],
        "total": kept.total,
        "close_code": kept.close_code,
        "close_reason": kept.close_reason,
        "closed_by_client": kept.closed_by_client,
        "cut": kept.cut or None,
    }


def heard(message: Heard) -> dict[str, Any]:
    cut = message.size > len(message.preview)
    return {
        "from_client": message.from_client,
        "type": "text" if message.text else "binary",
        "at": message.at,
        "size": message.size,
        "text": preview(message.preview, MESSAGE_PREVIEW, cut=cut) if message.text else None,
        "data_base64": b64(message.preview),
        "truncated": cut,
    }


def entry_summary(entry: Entry) -> dict[str, Any]:
    """A request without its headers and bodies, for the event stream (issue 15: each event
    carried both bodies, and a subscriber that did not read held them all)."""
    request = entry.request
    return {
        "id": entry.id,
        "time": iso_time(entry.time),
        "session": entry.session,
        "method": request.method,
        "url": request.url,
        "source": str(entry.source),
        "protocol": str(entry.protocol),
        "status": entry.status,
        "duration_ms": round(entry.duration_ms, 3),
        "preset": entry.preset_id,
        "error": entry.error,
        "body_size": entry.body_size,
    }


def reply(entry: Entry) -> dict[str, Any] | None:
    """What a request was answered with, as history kept it (None when no response went out).

    `body` is the text (at most REPLY_PREVIEW bytes of it) with any gzip or deflate
    Content-Encoding undone, None when binary or when a cut compressed body cannot be undone;
    `body_base64` is the bytes kept, as they were sent.
    """
    response = entry.response
    if response is None:
        return None
    encoding = header(response.headers, "content-encoding")
    shown = decoded_body(response.body, response.headers, REPLY_PREVIEW + 1)
    return {
        "status": response.status,
        "reason": response.reason,
        "headers": header_pairs(response.headers),
        "trailers": header_pairs(response.trailers or ()),
        "body": preview(shown, REPLY_PREVIEW, cut=entry.truncated),
        "body_base64": b64(response.body),
        "encoding": encoding,
        "size": entry.response_size,
        "truncated": entry.truncated,
    }


def session(session: Session, proxy_port: int | None = None) -> dict[str, Any]:
    return {
        "name": session.name,
        "protocol": str(session.protocol),
        "started": session.started.astimezone().isoformat(),
        "last_call": session.last_call.astimezone().isoformat(),
        "timeout": session.timeout,
        "presets": len(session.presets),
        "requests": len(session.history),
        "dropped": session.history.dropped,
        "mails": len(session.inbox),
        "mails_dropped": session.inbox.dropped,
        "record_history": session.record_history,
        "requests_seen": session.requests_seen,
        "proxy_port": proxy_port,
    }


def iso_time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).astimezone().isoformat()


PREVIEW = 4096
"""Bytes of a body shown in a cassette listing; the whole body stays in the cassette."""


def preview(data: bytes, limit: int = PREVIEW, *, cut: bool = False) -> str | None:
    """The first `limit` bytes as UTF-8 text (a character cut by the limit left out), or None.

    `cut`: the data was already cut short elsewhere, so a character split at its end is cut too.
    """
    head = data[:limit]
    if b"\0" in head:
        return None  # binary, as in text_or_none
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as e:
        cut_short = (len(data) > limit or cut) and e.reason == "unexpected end of data"
        return head[: e.start].decode("utf-8") if cut_short else None
