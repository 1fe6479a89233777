"""A user's test of the app above with the pretenders pytest plugin: the first run records the
HTTPS API into a cassette, later runs replay it with the API gone; the mail is captured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

APP = Path(__file__).with_name("app.py")


@pytest.mark.cassette
def test_an_order_is_charged_and_mailed(pretenders):
    host, port = pretenders.smtp
    env = dict(os.environ, SMTP_HOST=host, SMTP_PORT=str(port), SMTP_USER=pretenders.name)
    subprocess.run(
        [sys.executable, str(APP), "order-42", "ada@example.test"], env=env, check=True, timeout=60
    )

    mail = pretenders.mail.wait(to="ada@example.test", timeout=10)
    assert mail.subject == "Order order-42 confirmed"
    assert "hello, world" in mail.text
    assert "echo: order=order-42" in mail.text
    pretenders.assert_requested("POST /charges", times=1, body="order=order-42")
    pretenders.assert_requested("GET /hello", times=1)
