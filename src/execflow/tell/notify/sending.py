"""Sending the queued status mails (the outbox's message loops call this)."""

from __future__ import annotations

from execflow.config import Settings
from execflow.delivery import mail
from execflow.outbox import Claimed, Handler
from execflow.tell.notify.jobs import MailOut


def handlers(settings: Settings) -> dict[str, Handler]:
    """The handler of tell.mail: one message over this thread's open SMTP connection."""

    def send(item: Claimed) -> None:
        job = MailOut.of(item.payload)
        message = mail.Mail(
            sender=settings.mail_from,
            to=job.to,
            subject=job.subject,
            text=job.text,
            headers={**job.headers, "Message-ID": job.message_id},
        )
        mail.send(message, smtp_url=settings.smtp_url, maildir=settings.data_dir / "mail")

    return {MailOut.KIND: Handler(deliver=send)}
