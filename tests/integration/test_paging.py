"""v1 lists come a page at a time (`limit`, the next page's cursor in X-Next-Cursor and Link),
the clients walk every page, and every v1 route refuses a query parameter it does not take."""

import re
import smtplib
from email.message import EmailMessage

import pytest
import requests

from pretenders_proxy.api.app import routes
from pretenders_proxy.client.mail import Mailbox
from pretenders_proxy.testing.launcher import RunningServer
from tests.integration.paging import every
from tests.integration.replies import BOTH_REPLY_PATHS
from tests.integration.test_history_bounds import session_of

pytestmark = BOTH_REPLY_PATHS

V1_GETS = sorted(r.path for r in routes() if r.method == "GET" and r.path.startswith("/api/v1/"))


def test_a_walk_through_2500_requests_with_the_client_sees_each_once(
    server: RunningServer,
) -> None:
    with session_of(server) as fake:
        fake.when("GET /items").reply("ok")
        mock = f"{server.control}/mockhttp/{fake.name}/items"
        with requests.Session() as http:
            for number in range(2500):
                http.get(mock, params={"n": number}, timeout=10)
        first = requests.get(f"{server.control}/api/v1/requests", params={"session": fake.name})
        assert len(first.json()) == 100  # the default page
        cursor = first.headers["X-Next-Cursor"]
        assert first.headers["Link"] == (
            f'</api/v1/requests?session={fake.name}&cursor={cursor}>; rel="next"'
        )
        seen = fake.requests()
        assert [r.query for r in seen] == [f"n={n}" for n in range(2500)]
        assert len({r.id for r in seen}) == 2500
        assert [r.query for r in fake.requests(path="items", since=seen[2399].id)] == [
            f"n={n}" for n in range(2400, 2500)
        ]


def test_the_last_page_names_no_next_one(server: RunningServer) -> None:
    with session_of(server) as fake:
        for number in range(5):
            fake.when(f"GET /{number}").reply("x")
        url, scope = f"{server.control}/api/v1/presets", {"session": fake.name}
        pages = [requests.get(url, params=scope | {"limit": 2}, timeout=10)]
        while cursor := pages[-1].headers.get("X-Next-Cursor"):
            pages.append(requests.get(url, params=scope | {"limit": 2, "cursor": cursor}))
        assert [len(page.json()) for page in pages] == [2, 2, 1]
        assert "Link" not in pages[-1].headers
        assert [p["rule"]["rule"] for p in fake.presets()] == [f"GET /{n}" for n in range(5)]


def test_mail_smtp_presets_and_sessions_page_too(server: RunningServer) -> None:
    with session_of(server) as fake:
        box = Mailbox(server.control, session=fake.name)
        for number in range(3):
            box.add_preset(recipient=f"^nobody{number}@", action="reject")
        with smtplib.SMTP(*server.smtp, timeout=10) as smtp:
            smtp.login(fake.name, "x")
            for number in range(7):
                mail = EmailMessage()
                mail["Subject"], mail["From"], mail["To"] = f"m{number}", "a@x.test", "b@x.test"
                smtp.send_message(mail)
        scope = {"session": fake.name, "limit": 2}
        assert len(every(f"{server.control}/api/v1/mail", scope)) == 7
        assert [m.subject for m in box.list()] == [f"m{n}" for n in range(7)]
        assert len(every(f"{server.control}/api/v1/smtp/presets", scope)) == 3 == len(box.presets())
        names = [s["name"] for s in every(f"{server.control}/api/v1/sessions", {"limit": 3})]
        assert fake.name in names and len(names) == len(set(names))


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("limit=0", "limit='0' is out of range; give 1 to 1000"),
        ("limit=1001", "limit='1001' is out of range; give 1 to 1000"),
        ("cursor=nonsense", "cursor='nonsense' is not a cursor of this list"),
    ],
)
def test_a_bad_page_is_a_400_naming_it(control: str, query: str, problem: str) -> None:
    answer = requests.get(f"{control}/api/v1/requests?{query}", timeout=10)
    assert answer.status_code == 400 and problem in answer.json()["error"]


def test_a_cursor_of_another_list_is_refused(control: str, session: str) -> None:
    for rule in ("GET /a", "GET /b"):
        requests.post(f"{control}/api/v1/presets?session={session}", json={"rule": rule})
    presets = requests.get(f"{control}/api/v1/presets?session={session}&limit=1", timeout=10)
    cursor = presets.headers["X-Next-Cursor"]
    answer = requests.get(f"{control}/api/v1/requests", params={"cursor": cursor}, timeout=10)
    assert answer.status_code == 400 and "not a cursor of this list" in answer.json()["error"]


@pytest.mark.parametrize("path", V1_GETS)
def test_every_v1_route_refuses_an_unknown_query_parameter(control: str, path: str) -> None:
    # Before, /api/v1/requests?limit=1 was silently ignored while /api/v1/mail?limit=1 was a 400.
    concrete = re.sub(r"\{\w+\}", "1", path)
    answer = requests.get(f"{control}{concrete}", params={"bogus": "1"}, timeout=10)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"].startswith("unknown query parameter bogus; this route takes ")
