"""Public updates: what the status page and subscribers are told about an incident.

Responders post them; three are automatic, so the promises hold when the team is busy:
- "We are investigating" 10 minutes after acknowledgement of a P1 or P2 that has no public
  update yet (its status_page deadline is 15 minutes);
- "recovered, monitoring" when the monitor that opened the incident recovers;
- "resolved" when an incident with public updates is resolved without a resolving one.
Each is logged like any other, by the `system` actor. Every update of a P1 or P2 queues
the mail to whoever the severity says is told (`UpdatePublished`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from execflow.ids import new_id
from execflow.outbox import each, enqueue_many
from execflow.prove.log.entry import Ref
from execflow.records import get, require_ids
from execflow.respond.catalog.models import Component
from execflow.respond.catalog.service import set_component_status
from execflow.respond.incidents.events import IncidentEvent
from execflow.respond.incidents.jobs import FirstUpdateDue, UpdatePublished
from execflow.respond.incidents.lifecycle import is_open
from execflow.respond.incidents.models import Incident, IncidentUpdate
from execflow.respond.incidents.timeline import record
from execflow.respond.severity import Severity, is_public

SYSTEM = Ref("system", "status")
FIRST_UPDATE_AFTER = timedelta(minutes=10)
INVESTIGATING = "We are investigating this issue and will post an update as soon as we know more."
RECOVERED = "The affected service has recovered. We are monitoring to make sure it stays up."
RESOLVED = "This incident has been resolved."
_SHOWN = ("P1", "P2", "P3")
"""Severities the status page shows (P4: nothing public)."""


def publish(
    session: Session,
    incident: Incident,
    *,
    status: str,
    body: str,
    component_statuses: Mapping[str, str],
    actor: Ref,
    now: datetime,
    automatic: bool = False,
) -> IncidentUpdate:
    """Add a public update (component statuses applied), log it and queue its mail."""
    require_ids(session, Component, component_statuses, "component_statuses")
    affected = []
    for component_id, new_status in component_statuses.items():
        component: Component = get(session, Component, component_id, "component")
        old, new = set_component_status(
            session,
            component_id=component_id,
            status=new_status,
            actor=actor,
            now=now,
            reason=Ref("incident", incident.id),
        )
        affected.append(
            {"code": component_id, "name": component.name, "old_status": old, "new_status": new}
        )
    update = IncidentUpdate(
        id=new_id("upd"),
        incident_id=incident.id,
        status=status,
        body=body,
        affected_components=affected,
        created_at=now,
    )
    session.add(update)
    session.flush()
    incident.first_update_at = incident.first_update_at or now
    data: dict[str, object] = {
        "update_id": update.id,
        "status": status,
        "components": {a["code"]: a["new_status"] for a in affected},
    }
    if automatic:
        data["automatic"] = True
    record(session, incident, kind=IncidentEvent.UPDATE_PUBLISHED, actor=actor, now=now, data=data)
    if is_public(Severity(incident.severity)):
        enqueue_many(session, [UpdatePublished(incident.id, update.id).queued()], now=now)
    return update


def latest_status(session: Session, incident_id: str) -> str | None:
    """The status of the incident's latest public update, if any."""
    query = (
        select(IncidentUpdate.status)
        .where(IncidentUpdate.incident_id == incident_id)
        .order_by(IncidentUpdate.created_at.desc(), IncidentUpdate.id.desc())
        .limit(1)
    )
    return session.execute(query).scalar_one_or_none()


def arm_first_update(session: Session, incident: Incident, *, now: datetime) -> None:
    """After acknowledgement: publish "investigating" in 10 min unless someone posts first."""
    if is_public(Severity(incident.severity)) and incident.first_update_at is None:
        job = FirstUpdateDue(incident.id)
        enqueue_many(session, [job.queued(now + FIRST_UPDATE_AFTER)], now=now)


def first_update_due(session: Session, job: FirstUpdateDue, now: datetime) -> None:
    """The timer: publish "investigating" if the incident still has no public update."""
    incident = session.get(Incident, job.incident_id, with_for_update=True)
    if incident is None or not is_open(incident.status) or incident.first_update_at is not None:
        return
    if not is_public(Severity(incident.severity)):
        return
    publish(
        session,
        incident,
        status="investigating",
        body=INVESTIGATING,
        component_statuses={},
        actor=SYSTEM,
        now=now,
        automatic=True,
    )


def publish_recovery(session: Session, incident: Incident, *, now: datetime) -> None:
    """The monitor recovered: say so on the status page at once (shown incidents only).

    The monitor has already set its own component back to operational.
    """
    if incident.severity not in _SHOWN or not is_open(incident.status):
        return
    publish(
        session,
        incident,
        status="monitoring",
        body=RECOVERED,
        component_statuses={},
        actor=SYSTEM,
        now=now,
        automatic=True,
    )


def publish_resolution(session: Session, incident: Incident, *, now: datetime) -> None:
    """A shown incident whose public updates did not say "resolved" gets one that does."""
    if incident.severity not in _SHOWN or incident.imported or incident.first_update_at is None:
        return
    if latest_status(session, incident.id) == "resolved":
        return
    publish(
        session,
        incident,
        status="resolved",
        body=RESOLVED,
        component_statuses={},
        actor=SYSTEM,
        now=now,
        automatic=True,
    )


HANDLERS = {FirstUpdateDue.KIND: each(FirstUpdateDue, first_update_due)}
