"""Post-mortem reminders: mail the commander 24 h and 48 h into the 72 h window."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from execflow.outbox import Handler, each, enqueue_many
from execflow.prove.log.append import append
from execflow.prove.log.entry import Ref
from execflow.respond.catalog.models import Person
from execflow.respond.incidents.jobs import PostmortemReminder
from execflow.respond.incidents.models import Incident
from execflow.tell.events import TellEvent
from execflow.tell.notify.jobs import MailOut
from execflow.tell.notify.mails import Sender
from execflow.tell.postmortems.models import Postmortem

SYSTEM = Ref("system", "postmortems")


def handlers(sender: Sender) -> dict[str, Handler]:
    """The reminder timer."""

    def remind(session: Session, job: PostmortemReminder, now: datetime) -> None:
        incident = session.get(Incident, job.incident_id)
        row = session.get(Postmortem, job.incident_id)
        if incident is None or incident.postmortem_at is not None:
            return
        if row is not None and row.published_at is not None:
            return
        person = session.get(Person, incident.commander_id) if incident.commander_id else None
        if person is not None:
            link = f"{sender.base_url}/incidents/{incident.id}#pm-h"
            mail = MailOut(
                to=person.email,
                subject=f"[{sender.page_name}] Post-mortem due in {72 - job.hours} h: "
                f"{incident.title}",
                text=f"The post-mortem of {incident.title} ({incident.severity}) is due 72 hours"
                f" after resolution; {job.hours} hours have passed.\n\nWrite it: {link}\n",
                message_id=f"<postmortem.{incident.id}.{job.hours}@execflow>",
                notification_id=f"postmortem.{incident.id}.{job.hours}",
            )
            enqueue_many(session, [mail.queued()], now=now)
        append(
            session,
            type=TellEvent.POSTMORTEM_REMINDER,
            at=now,
            actor=SYSTEM,
            subject=Ref("incident", incident.id),
            data={
                "hours": job.hours,
                "commander_id": incident.commander_id,
                "mailed": person is not None,
            },
        )

    return {PostmortemReminder.KIND: each(PostmortemReminder, remind)}
