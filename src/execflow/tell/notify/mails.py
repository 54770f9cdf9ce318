"""The status mails: an incident update, a maintenance notice, a subscription confirmation.

Every mail but the confirmation carries a one-click unsubscribe link in its text and in
the `List-Unsubscribe` and `List-Unsubscribe-Post` headers (RFC 8058), and a Message-ID
made from the notification and the recipient, so a mail sent again is recognisably the
same mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from execflow.clock import rfc3339
from execflow.tell.notify.audience import Recipient
from execflow.tell.notify.jobs import MailOut
from execflow.tell.subscribers import tokens


@dataclass(frozen=True)
class Sender:
    """What every status mail needs: the page's name and address, and the link secret."""

    page_name: str
    base_url: str
    secret: bytes

    def unsubscribe_url(self, recipient: Recipient, now: datetime) -> str:
        """The recipient's signed one-click unsubscribe link."""
        claim = tokens.Claim(tokens.UNSUBSCRIBE, recipient.ref, now + tokens.UNSUBSCRIBE_LIFETIME)
        return f"{self.base_url}/subscriptions/unsubscribe?token={tokens.sign(self.secret, claim)}"

    def mail(
        self,
        recipient: Recipient,
        *,
        notification_id: str,
        subject: str,
        lines: list[str],
        now: datetime,
    ) -> MailOut:
        """A status mail with its unsubscribe link and headers."""
        link = self.unsubscribe_url(recipient, now)
        text = "\n".join(
            [
                *lines,
                "",
                f"Status page: {self.base_url}/status.html",
                f"Unsubscribe (one click): {link}",
            ]
        )
        headers = {
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        }
        return MailOut(
            to=recipient.address,
            subject=f"[{self.page_name}] {subject}",
            text=text + "\n",
            message_id=f"<{notification_id}.{recipient.ref.replace(':', '.')}@execflow>",
            headers=headers,
            notification_id=notification_id,
        )

    def confirmation(
        self, address: str, subscriber_id: str, component_ids: list[str], now: datetime
    ) -> MailOut:
        """The double opt-in mail: one signed link, valid 48 hours."""
        claim = tokens.Claim(
            tokens.CONFIRM, subscriber_id, now + tokens.CONFIRM_LIFETIME, component_ids
        )
        link = f"{self.base_url}/subscriptions/confirm?token={tokens.sign(self.secret, claim)}"
        text = "\n".join(
            [
                f"Someone (we hope you) asked for {self.page_name} status updates at this address.",
                "",
                f"Confirm within 48 hours: {link}",
                "",
                "If it was not you, ignore this mail: nothing is sent until you confirm.",
            ]
        )
        return MailOut(
            to=address,
            subject=f"[{self.page_name}] Confirm your subscription",
            text=text + "\n",
            message_id=f"<confirm.{subscriber_id}.{int(now.timestamp())}@execflow>",
            headers={"Auto-Submitted": "auto-generated"},
            notification_id=f"confirm.{subscriber_id}",
        )


def when(moment: datetime) -> str:
    """A time as mails show it."""
    return rfc3339(moment).replace("T", " ").split(".")[0] + " UTC"
