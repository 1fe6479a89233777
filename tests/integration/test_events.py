"""Server-sent events over a real connection."""

import json
import smtplib
from email.message import EmailMessage

import httpx
import requests

from pretenders_proxy.testing.launcher import RunningServer


def test_requests_and_mail_arrive_as_events(
    server: RunningServer, session_name: str, proxy: str
) -> None:
    url = f"{server.control}/api/v1/events"
    with httpx.stream("GET", url, params={"session": session_name}, timeout=10) as stream:
        lines = stream.iter_lines()
        assert next(lines) == ": connected"
        requests.get("http://other.test/ignored", proxies={"http": server.proxy}, timeout=10)
        requests.get("http://api.test/seen", proxies={"http": proxy}, timeout=10)
        events = []
        for line in lines:
            if line.startswith("event:"):
                events.append(line.split(": ", 1)[1])
            elif line.startswith("data:"):
                events.append(json.loads(line.split(": ", 1)[1]))
                if len(events) == 2:
                    break
        assert events[0] == "request" and events[1]["url"] == "http://api.test/seen"
    assert stream.headers["content-type"] == "text/event-stream"


def test_mail_events(server: RunningServer) -> None:
    url = f"{server.control}/api/v1/events"
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = "hi", "a@x.test", "b@x.test"
    message.set_content("body")
    with httpx.stream("GET", url, timeout=10) as stream:
        lines = stream.iter_lines()
        next(lines)
        with smtplib.SMTP(*server.smtp, timeout=10) as smtp:
            smtp.send_message(message)
        # the stream is every session's: a request event came first once in a full run (an
        # earlier test's request, cause not found; see the closing note of issue 20)
        names = (line for line in lines if line.startswith("event:") and line != "event: request")
        assert next(names) == "event: mail"
