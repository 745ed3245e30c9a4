"""What an alert says when it leaves the server: an e-mail and a webhook card.

Each carries the ward, the kind of alert, its details (counts and answers, never words) and
a link to the alert in the web app, where a signed-in manager reads the comment. The
comment's text is never given to this module, so it cannot end up in a message: e-mail and
chat are not safe places for patient words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sync.server.alerts.raising import KINDS

LONDON = ZoneInfo("Europe/London")
SERVICE = "Ward feedback"


@dataclass(frozen=True)
class Outgoing:
    """One message: an alert (``alert_id``), or a digest of ``count`` alerts held back by the
    rate limit (``alert_id`` None). Holds nothing a patient wrote."""

    ward: tuple[str, str, str]
    alert_id: int | None = None
    kind: str = ""
    details: str = ""
    raised_at: dt.datetime | None = None
    count: int = 0

    def ward_words(self) -> str:
        org, site, ward = self.ward
        return f"{ward} ({site}, {org})"

    def link(self, public_url: str) -> str:
        if self.alert_id is not None:
            return f"{public_url}/alerts/{self.alert_id}"
        org, site, ward = self.ward
        return f"{public_url}/alerts?{urlencode({'org': org, 'site': site, 'ward': ward})}"

    def title(self) -> str:
        if self.alert_id is None:
            more = "1 more alert" if self.count == 1 else f"{self.count} more alerts"
            return f"{SERVICE}: {more} for {self.ward[2]}"
        return f"{SERVICE} alert: {KINDS.get(self.kind, 'Alert').lower()} on {self.ward[2]}"

    def lines(self, public_url: str) -> list[str]:
        if self.alert_id is None:
            return [
                f"{self.count} more alerts for {self.ward_words()} were held back, so that "
                "nobody gets more than a few messages an hour about one ward."
                if self.count != 1
                else f"1 more alert for {self.ward_words()} was held back, so that nobody "
                "gets more than a few messages an hour about one ward.",
                f"See them all in the web app: {self.link(public_url)}",
            ]
        lines = [f"{KINDS.get(self.kind, 'Alert')} on {self.ward_words()}."]
        if self.raised_at is not None:
            local = self.raised_at.astimezone(LONDON)
            lines.append(f"Raised {local:%d %B %Y, %H:%M} (UK time).")
        lines += [self.details, f"Open the alert in the web app: {self.link(public_url)}"]
        return lines


FOOTER = (
    "The comment itself is not in this message: e-mail and chat are not safe places for "
    "patients' words. Sign in to the web app to read it, and acknowledge the alert there "
    "once it is dealt with."
)


def email(message: Outgoing, public_url: str, sender: str, to: str) -> EmailMessage:
    """The e-mail for *message* to one recipient, as plain text."""
    mail = EmailMessage()
    mail["Subject"] = message.title()
    mail["From"] = sender
    mail["To"] = to
    mail["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office replies stay away
    mail.set_content("\n\n".join([*message.lines(public_url), FOOTER]) + "\n")
    return mail


def webhook_card(message: Outgoing, public_url: str) -> dict[str, Any]:
    """The JSON posted to the webhook: a Teams message with one Adaptive Card, as Teams
    workflows ("When a Teams webhook request is received") and incoming webhooks take it. Any
    other receiver finds the plain fields under ``alert``."""
    lines = message.lines(public_url)[:-1]  # the link is the card's button instead
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {
                "type": "TextBlock",
                "text": message.title(),
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
            },
            *({"type": "TextBlock", "text": line, "wrap": True} for line in lines),
            {"type": "TextBlock", "text": FOOTER, "wrap": True, "isSubtle": True},
        ],
        "actions": [
            {
                "type": "Action.OpenUrl",
                "title": "Open in the web app",
                "url": message.link(public_url),
            }
        ],
    }
    org, site, ward = message.ward
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
        "alert": {
            "id": message.alert_id,
            "kind": message.kind or "digest",
            "org_code": org,
            "site_code": site,
            "ward_name": ward,
            "details": message.details,
            "count": message.count or 1,
            "raised_at": message.raised_at.isoformat() if message.raised_at else None,
            "link": message.link(public_url),
        },
    }
