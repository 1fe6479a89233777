"""A tiny app: confirms an order by charging it through an HTTPS API, then mails the customer.

Configured like a twelve-factor app: SHOP_API, SMTP_HOST, SMTP_PORT, SMTP_USER.
"""

import os
import smtplib
import sys
from email.message import EmailMessage

import requests


def confirm(order: str, customer: str) -> None:
    api = os.environ["SHOP_API"]
    greeting = requests.get(f"{api}/hello", timeout=10).text.strip()
    charge = requests.post(f"{api}/charges", data=f"order={order}", timeout=10)
    charge.raise_for_status()
    mail = EmailMessage()
    mail["Subject"] = f"Order {order} confirmed"
    mail["From"] = "shop@example.test"
    mail["To"] = customer
    mail.set_content(f"{greeting}\nWe charged your order: {charge.text}\n")
    with smtplib.SMTP(os.environ["SMTP_HOST"], int(os.environ["SMTP_PORT"]), timeout=10) as smtp:
        smtp.login(os.environ["SMTP_USER"], "any password")
        smtp.send_message(mail)


if __name__ == "__main__":
    confirm(sys.argv[1], sys.argv[2])
