"""Putting a message on the wire: SMTP for e-mail, an HTTP POST for the webhook.

Each raises ``SendFailed`` with a sentence for the web app's Alerts page (what went wrong and
what to check), never a secret; the sender retries it later.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import requests

from sync.server.alerts.settings import Smtp

#: Seconds to connect to, then to hear back from, the webhook.
WEBHOOK_TIMEOUT = (5.0, 15.0)


class SendFailed(Exception):
    """A message did not go; the text says why and what to check."""


def send_email(smtp: Smtp, mail: EmailMessage) -> None:
    """Hand *mail* to the mail server in *smtp*."""
    where = f"{smtp.host}:{smtp.port}"
    try:
        client: smtplib.SMTP
        if smtp.security == "ssl":
            client = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=smtp.timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        with client:
            if smtp.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if smtp.username is not None and smtp.password is not None:
                client.login(smtp.username, smtp.password)
            client.send_message(mail)
    except smtplib.SMTPAuthenticationError:
        raise SendFailed(
            f"the mail server {where} refused the username and password: check [smtp] "
            "username and the password file or variable"
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        codes = ", ".join(
            f"{code} {text.decode(errors='replace')}" for code, text in exc.recipients.values()
        )
        raise SendFailed(f"the mail server {where} refused the address ({codes})") from None
    except smtplib.SMTPNotSupportedError:
        raise SendFailed(
            f'the mail server {where} does not offer STARTTLS: set [smtp] security to "ssl" '
            "(port 465) or ask IT which it takes"
        ) from None
    except smtplib.SMTPResponseException as exc:
        text = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        raise SendFailed(f"the mail server {where} answered {exc.smtp_code} {text}") from None
    except TimeoutError:
        raise SendFailed(
            f"the mail server {where} did not answer within {smtp.timeout:g} s"
        ) from None
    except ssl.SSLError as exc:
        raise SendFailed(
            f"a secure connection to {where} failed ({exc.reason}): check [smtp] security and port"
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise SendFailed(f"the mail server {where} could not be reached ({exc})") from None


def post_webhook(url: str, payload: dict[str, Any]) -> None:
    """POST *payload* as JSON to *url*; any 2xx answer is success."""
    host = _where(url)
    try:
        reply = requests.post(url, json=payload, timeout=WEBHOOK_TIMEOUT, allow_redirects=False)
    except requests.Timeout:
        raise SendFailed(
            f"the webhook at {host} did not answer within {WEBHOOK_TIMEOUT[1]:g} s"
        ) from None
    except requests.RequestException as exc:
        raise SendFailed(
            f"the webhook at {host} could not be reached ({type(exc).__name__})"
        ) from None
    if not 200 <= reply.status_code < 300:
        raise SendFailed(
            f"the webhook at {host} answered HTTP {reply.status_code}: check [alerts] "
            "webhook_url, and that the workflow behind it is on"
        )


def _where(url: str) -> str:
    """The webhook's host and port, as its failures name it: never a user name or password
    the address may hold (``https://user:secret@host/``), as the Alerts page shows the reason
    to every ward user."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # settings check the address; a bad port is still no secret to show
        port = None
    host = parts.hostname or "the configured address"
    host = f"[{host}]" if ":" in host else host  # an IPv6 address, written as in a URL
    return f"{host}:{port}" if port is not None else host
