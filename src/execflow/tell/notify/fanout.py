"""The fan-out: one notification becomes one queued mail per recipient, in batches.

A handler here runs as an outbox timer, in the transaction that completes its job, so a
notification is expanded exactly once even with several workers, and a request that
published an update never waits for it. The mails are outbox rows of their own: the
message loops send them over kept-open SMTP connections, retry a failure with backoff,
and a mail whose worker died is sent again by another worker once its lease runs out
(with the same Message-ID). Each batch of recipients is logged with their ids and counts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from execflow.outbox import Handler, Queued, each, enqueue_many
from execflow.prove.log.append import append_prepared, prepare
from execflow.prove.log.entry import Ref
from execflow.respond.incidents.jobs import UpdatePublished
from execflow.respond.incidents.models import Incident, IncidentUpdate
from execflow.respond.maintenance.jobs import MaintenanceNotice
from execflow.respond.maintenance.models import Maintenance
from execflow.tell.events import TellEvent
from execflow.tell.notify import audience
from execflow.tell.notify.audience import Recipient
from execflow.tell.notify.mails import Sender, when

BATCH = 500
"""Recipients per logged batch (the log entry names each one's id)."""
SYSTEM = Ref("system", "notify")
_PHASE = {
    "scheduled": "Scheduled maintenance",
    "started": "Maintenance started",
    "ended": "Maintenance completed",
}


def queue_mails(
    session: Session,
    recipients: list[Recipient],
    *,
    notification_id: str,
    subject: Ref,
    reason: dict[str, object],
    build: Callable[[Recipient], Queued],
    now: datetime,
) -> int:
    """Queue one mail per recipient and log each batch; returns how many were queued."""
    for start in range(0, len(recipients), BATCH):
        batch = recipients[start : start + BATCH]
        enqueue_many(session, [build(r) for r in batch], now=now)
        entry = prepare(
            type=TellEvent.NOTIFICATION_BATCH,
            at=now,
            actor=SYSTEM,
            subject=subject,
            data={
                **reason,
                "notification_id": notification_id,
                "batch": start // BATCH,
                "count": len(batch),
                "subscriber_ids": [r.subscriber_id for r in batch if r.subscriber_id],
                "customer_ids": sorted({r.customer_id for r in batch if r.customer_id}),
                "contacts": sum(1 for r in batch if r.customer_id),
            },
        )
        append_prepared(session, [entry])
    return len(recipients)


def handlers(sender: Sender) -> dict[str, Handler]:
    """The fan-out timers for incident updates and maintenance notices."""

    def incident_update(session: Session, job: UpdatePublished, now: datetime) -> None:
        incident = session.get(Incident, job.incident_id)
        update = session.get(IncidentUpdate, job.update_id)
        if incident is None or update is None:
            return
        recipients = audience.for_severity(session, incident.severity, set(incident.component_ids))
        label = update.status.replace("_", " ").capitalize()
        lines = [
            f"{incident.title}",
            f"{label} ({incident.severity}) at {when(update.created_at)}",
            "",
            update.body,
        ]
        queue_mails(
            session,
            recipients,
            notification_id=update.id,
            subject=Ref("incident", incident.id),
            reason={"reason": "incident_update", "severity": incident.severity},
            build=lambda r: sender.mail(
                r,
                notification_id=update.id,
                subject=f"{label}: {incident.title}",
                lines=lines,
                now=now,
            ).queued(),
            now=now,
        )

    def maintenance_notice(session: Session, job: MaintenanceNotice, now: datetime) -> None:
        window = session.get(Maintenance, job.maintenance_id)
        if window is None or not job.still_applies(window):
            return
        recipients = audience.for_maintenance(session, set(window.component_ids))
        notification_id = f"{window.id}.{job.phase}"
        lines = [
            window.title,
            f"From {when(window.starts_at)} to {when(window.ends_at)}",
            "",
            window.body or window.title,
        ]
        queue_mails(
            session,
            recipients,
            notification_id=notification_id,
            subject=Ref("maintenance", window.id),
            reason={"reason": "maintenance", "phase": job.phase},
            build=lambda r: sender.mail(
                r,
                notification_id=notification_id,
                subject=f"{_PHASE[job.phase]}: {window.title}",
                lines=lines,
                now=now,
            ).queued(),
            now=now,
        )

    return {
        UpdatePublished.KIND: each(UpdatePublished, incident_update),
        MaintenanceNotice.KIND: each(MaintenanceNotice, maintenance_notice),
    }
