"""Sending the queued status mails (the outbox's message loops call this).

Each mail is recorded as delivered the moment the server has taken it, on its own, not
with the rest of its batch; the records of concurrent sends share their commits (a group
commit per process). A worker killed in the middle of a fan-out loses nothing (the one
that takes over sends what was not recorded); what it re-sends is only what the dead
worker's threads had handed over in the last moment before their records committed,
each with the same Message-ID.
"""

from __future__ import annotations

from execflow.clock import Clock
from execflow.config import Settings
from execflow.db import Database
from execflow.delivery import mail
from execflow.group_commit import GroupCommit
from execflow.outbox import Claimed, Handler, complete_many
from execflow.tell.notify.jobs import MailOut


def handlers(db: Database, settings: Settings, clock: Clock) -> dict[str, Handler]:
    """The handler of tell.mail: one message over this thread's open SMTP connection."""
    records = GroupCommit(db)

    def send(item: Claimed) -> None:
        job = MailOut.of(item.payload)
        message = mail.Mail(
            sender=settings.mail_from,
            to=job.to,
            subject=job.subject,
            text=job.text,
            headers={**job.headers, "Message-ID": job.message_id},
        )

        def record() -> bool:
            with records.write() as session:
                held = complete_many(session, item_ids=[item.id], owner=item.owner, now=clock.now())
            return item.id in held

        mail.send(message, smtp_url=settings.smtp_url, maildir=settings.data_dir / "mail")
        record()

    return {MailOut.KIND: Handler(deliver=send)}
