"""The SMTP listeners under load, under SMTP presets and under bad input: real server, smtplib."""

import concurrent.futures
import smtplib
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from pretenders_proxy.client.mail import Mailbox
from pretenders_proxy.client.smtp import SMTPMock
from pretenders_proxy.testing.launcher import LaunchError, RunningServer, launch
from tests.integration.mailing import Send, message

SENDERS, MAILS_EACH = 8, 100


def test_concurrent_senders_lose_nothing(server: RunningServer, mailbox: Mailbox) -> None:
    def sender(number: int) -> None:
        with smtplib.SMTP(*server.smtp, timeout=30) as smtp:
            smtp.login(mailbox.session or "", "x")
            for index in range(MAILS_EACH):
                smtp.send_message(message(f"{number}-{index}"))

    with concurrent.futures.ThreadPoolExecutor(SENDERS) as pool:
        list(pool.map(sender, range(SENDERS)))
    subjects = {m.subject for m in mailbox.list()}
    assert subjects == {f"{n}-{i}" for n in range(SENDERS) for i in range(MAILS_EACH)}


def test_reject_preset_refuses_matching_recipients_with_its_code(
    send: Send, mailbox: Mailbox
) -> None:
    mailbox.add_preset(recipient=r"^bounce@", code=553, text="5.1.3 No such user here")
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(to=["bounce@example.test"])
    assert refused.value.recipients == {"bounce@example.test": (553, b"5.1.3 No such user here")}
    assert send(to=["bounce@example.test", "ok@example.test"]) == {
        "bounce@example.test": (553, b"5.1.3 No such user here")
    }
    [kept] = mailbox.list()
    assert kept.envelope.rcpt_tos == ["ok@example.test"]
    assert mailbox.presets()[0].served == 2


def test_tempfail_at_data_counts_down_its_times(send: Send, mailbox: Mailbox) -> None:
    mailbox.add_preset(stage="data", action="tempfail", recipient="later@", times=1)
    with pytest.raises(smtplib.SMTPDataError) as failed:
        send(to=["later@example.test"])
    assert failed.value.smtp_code == 451
    assert mailbox.list() == []
    send(to=["later@example.test"])  # the preset is used up: accepted now
    assert len(mailbox.list()) == 1 and mailbox.presets() == []


def test_delay_then_accept_and_drop_the_connection(send: Send, mailbox: Mailbox) -> None:
    mailbox.add_preset(action="delay", after=0.05, recipient="slow@", times=1)
    mailbox.add_preset(action="drop", recipient="gone@")
    send(to=["slow@example.test"])
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send(to=["gone@example.test"])
    assert [m.envelope.rcpt_tos for m in mailbox.list()] == [["slow@example.test"]]
    send(to=["fine@example.test"])  # the listener still serves
    assert len(mailbox.list()) == 2


def test_smtp_mock_presets_through_the_client(server: RunningServer) -> None:
    mock = SMTPMock(server.host, server.port)
    try:
        mock.mail.add_preset(action="reject", recipient="")
        with (
            smtplib.SMTP(mock.host, mock.pretend_port, timeout=10) as smtp,
            pytest.raises(smtplib.SMTPRecipientsRefused) as refused,
        ):
            smtp.send_message(message())
        assert refused.value.recipients["alice@example.test"][0] == 550
        mock.reset()
        assert mock.mail.presets() == []
    finally:
        mock.delete_mock()


@pytest.mark.parametrize(
    ("preset", "problem"),
    [
        ({"action": "reject", "code": 451}, "code 451 does not fit reject: use 500-599"),
        ({"action": "tempfail", "code": 550}, "code 550 does not fit tempfail: use 400-499"),
        ({"action": "drop", "code": 550}, "a drop preset sends no reply"),
        ({"recipient": "(unclosed"}, "invalid regex in recipient '(unclosed'"),
        ({"action": "explode"}, "action: Input should be"),
        ({"times": 0}, "Preset has 0 times. Must be greater than zero."),
        ({"text": "two\r\nlines"}, "text must be one line"),
        ({"colour": "red"}, "colour: Extra inputs are not permitted"),
    ],
)
def test_bad_smtp_presets_are_400_naming_the_problem(
    control: str, mail_session: str, preset: dict[str, object], problem: str
) -> None:
    answer = requests.post(
        f"{control}/api/v1/smtp/presets", params={"session": mail_session}, json=preset, timeout=10
    )
    assert answer.status_code == 400
    assert problem in answer.json()["error"]


def test_garbage_commands_get_errors_and_the_listener_goes_on(
    server: RunningServer, send: Send, mailbox: Mailbox
) -> None:
    send(message("before"))
    with smtplib.SMTP(*server.smtp, timeout=10) as smtp:
        assert smtp.docmd("FROBNICATE", "now")[0] == 500
        assert smtp.docmd("MAIL", "FROM:<nobody@example.test>")[0] == 503  # no EHLO yet
        smtp.send(b"\xff\xfe\x00\x01 binary\r\n")
        assert smtp.getreply()[0] == 500
        assert smtp.docmd("X" * 5000)[0] == 500  # a command line too long
        assert smtp.docmd("EHLO", "client.test")[0] == 250
        assert smtp.docmd("RCPT", "TO:<a@example.test>")[0] == 503  # no MAIL FROM yet
        assert smtp.docmd("MAIL", "FROM:")[0] == 501
    with smtplib.SMTP(*server.smtp, timeout=10) as smtp:
        for _ in range(10):
            code, _ = smtp.docmd("NONSENSE")
            if code != 500:
                break
        assert code == 502  # too many unknown commands: it says goodbye and closes
    send(message("after"))
    assert [m.subject for m in mailbox.list()] == ["before", "after"]


def test_data_without_terminator_then_disconnect_keeps_nothing_half_done(
    server: RunningServer, send: Send, mailbox: Mailbox
) -> None:
    send(message("complete"))
    with socket.create_connection(server.smtp, timeout=10) as raw:
        reader = raw.makefile("rb")
        reader.readline()
        for command in (
            f"EHLO x\r\nAUTH PLAIN {_plain(mailbox.session or '')}\r\n",
            "MAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n",
        ):
            raw.sendall(command.encode())
        while not reader.readline().startswith(b"354"):
            pass
        raw.sendall(b"Subject: cut short\r\n\r\nthe body goes on and on")
        reader.close()
    send(message("next client"))
    assert [m.subject for m in mailbox.list()] == ["complete", "next client"]


def _plain(user: str) -> str:
    import base64

    return base64.b64encode(f"\0{user}\0x".encode()).decode()


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server taking messages of at most 4000 bytes and keeping 3 mails per session."""
    confdir: Path = tmp_path_factory.mktemp("conf")
    args = ["--smtp-max-size", "4000", "--history-limit", "3"]
    with launch(args, confdir=confdir) as running:
        yield running


def test_oversized_message_is_552_and_nothing_is_lost(small_server: RunningServer) -> None:
    mailbox = Mailbox(small_server.control, session="default")
    with smtplib.SMTP(*small_server.smtp, timeout=10) as smtp:
        smtp.send_message(message("small"))
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:  # SIZE said it up front
            smtp.send_message(message("big", "x" * 5000))
        assert refused.value.smtp_code == 552
        smtp.rset()
        smtp.mail("app@example.test")  # no SIZE: refused once the data has arrived
        smtp.rcpt("alice@example.test")
        assert smtp.data(message("big", "y" * 5000).as_bytes())[0] == 552
        smtp.send_message(message("small again"))
    assert [m.subject for m in mailbox.list()] == ["small", "small again"]


def test_mailbox_is_bounded_and_counts_what_it_dropped(small_server: RunningServer) -> None:
    control = small_server.control
    requests.delete(f"{control}/api/v1/mail", timeout=10)
    with smtplib.SMTP(*small_server.smtp, timeout=10) as smtp:
        for number in range(5):
            smtp.send_message(message(f"mail {number}"))
    listed = requests.get(f"{control}/api/v1/mail", params={"session": "default"}, timeout=10)
    assert [m["subject"] for m in listed.json()] == ["mail 2", "mail 3", "mail 4"]
    assert listed.headers["X-Pretenders-Dropped"] == "2"
    session = requests.get(f"{control}/api/v1/sessions/default", timeout=10).json()
    assert (session["mails"], session["mails_dropped"]) == (3, 2)


def test_busy_smtp_port_stops_the_server_with_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with (
            pytest.raises(LaunchError) as failed,
            launch(["--smtp-port", str(port)], confdir=tmp_path),
        ):
            pass
    assert f"pretenders: SMTP: port {port} on 127.0.0.1 is already in use" in str(failed.value)


def test_smtp_presets_by_id(control: str, mailbox: Mailbox) -> None:
    added = mailbox.add_preset(action="tempfail", text="4.2.2 Mailbox full")
    url = f"{control}/api/v1/smtp/presets/{added.id}"
    shown = requests.get(url, timeout=10).json()
    assert (shown["reply"], shown["times"], shown["session"]) == (
        "451 4.2.2 Mailbox full",
        "FOREVER",
        mailbox.session,
    )
    assert requests.delete(url, timeout=10).status_code == 204
    assert requests.get(url, timeout=10).status_code == 404
    assert mailbox.presets() == []
