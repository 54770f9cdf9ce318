"""Opening incidents, reading them, and what names them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from execflow.errors import Forbidden, InvalidInput, NotFound
from execflow.ids import new_id
from execflow.keyset import Slice, Window, fetch
from execflow.prove.log.entry import Ref
from execflow.records import require_ids
from execflow.respond.catalog.models import Component, Service
from execflow.respond.escalation.models import EscalationPolicy
from execflow.respond.incidents import deadlines as policy
from execflow.respond.incidents import escalation
from execflow.respond.incidents.deadline_timers import (
    facts,
    iso,
    remind_commander_later,
    schedule_deadlines,
    settle,
)
from execflow.respond.incidents.events import IncidentEvent
from execflow.respond.incidents.lifecycle import Status
from execflow.respond.incidents.models import Incident, TimelineEvent
from execflow.respond.incidents.schemas import (
    DeadlineRead,
    IncidentCreate,
    IncidentRead,
    TimelineRead,
)
from execflow.respond.incidents.timeline import record
from execflow.respond.severity import Severity, needs_commander


def get_incident(session: Session, incident_id: str, *, lock: bool = False) -> Incident:
    """An incident by id, optionally locked for an update; NotFound otherwise."""
    incident = session.get(Incident, incident_id, with_for_update=lock)
    if incident is None:
        raise NotFound(f"no incident {incident_id}")
    return incident


def create_incident(
    session: Session,
    *,
    data: IncidentCreate,
    actor: Ref,
    now: datetime,
    source: str = "manual",
    dedup_key: str | None = None,
    may_import: bool = False,
) -> Incident:
    """Open an incident: log it, freeze and start its escalation, queue its deadline checks.

    `started_at`/`resolved_at` (an import) need may_import (admins only), else Forbidden.
    """
    if (data.started_at is not None or data.resolved_at is not None) and not may_import:
        raise Forbidden("only admins may give started_at or resolved_at")
    service = session.get(Service, data.service_id) if data.service_id else None
    if data.service_id and service is None:
        raise InvalidInput(
            f"unknown service_id: {data.service_id}", details=[{"field": "service_id"}]
        )
    require_ids(session, Component, data.component_ids, "component_ids")
    check_not_future(now, started_at=data.started_at, resolved_at=data.resolved_at)
    severity = data.severity or Severity(service.default_severity if service else "P3")
    components = list(
        dict.fromkeys(data.component_ids or (service.component_ids if service else []))
    )
    # Only a finished incident is history: one imported while still open is run like any
    # other (deadlines from its real start, escalation from now).
    imported = data.resolved_at is not None
    started = data.started_at.astimezone(UTC) if data.started_at else now
    span = policy.Facts(severity=severity, created_at=started)
    incident = Incident(
        id=new_id("inc"),
        title=data.title,
        severity=severity.value,
        status=Status.TRIGGERED.value,
        service_id=service.id if service else None,
        component_ids=components,
        summary=data.summary,
        source=source,
        dedup_key=dedup_key,
        created_at=started,
        updated_at=now,
        recorded=[],
        imported=imported,
        acknowledge_due_at=policy.acknowledge_due(span),
        commander_due_at=policy.commander_due(span) if needs_commander(severity) else None,
    )
    session.add(incident)
    session.flush()
    record(
        session,
        incident,
        kind=IncidentEvent.TRIGGERED,
        actor=actor,
        now=now,
        data={
            "severity": severity.value,
            "service_id": incident.service_id,
            "component_ids": components,
            "source": source,
            "imported": imported,
            "started_at": iso(started),
        },
    )
    if data.resolved_at is not None:
        incident.status = Status.RESOLVED.value
        incident.resolved_at = data.resolved_at.astimezone(UTC)
        record(
            session,
            incident,
            kind=IncidentEvent.RESOLVED,
            actor=actor,
            now=now,
            data={"resolved_at": iso(incident.resolved_at), "imported": True},
        )
    if imported:
        return incident
    policy_row = (
        session.get(EscalationPolicy, service.escalation_policy_id)
        if service and service.escalation_policy_id
        else None
    )
    if policy_row is not None:
        escalation.start(session, incident, policy_row, now=now)
    if needs_commander(severity):
        remind_commander_later(session, incident, now=now)
    settle(session, incident, now=now)  # an open import's deadlines may have passed already
    schedule_deadlines(session, incident, now=now)
    return incident


CLOCK_SKEW = timedelta(minutes=1)


def check_not_future(
    now: datetime, *, started_at: datetime | None, resolved_at: datetime | None
) -> None:
    """InvalidInput for a given time later than now (a minute of clock skew allowed)."""
    for name, moment in (("started_at", started_at), ("resolved_at", resolved_at)):
        if moment is not None and moment > now + CLOCK_SKEW:
            raise InvalidInput(
                f"{name} is in the future ({iso(moment)})", details=[{"field": name}]
            )


def open_incidents_naming(
    session: Session,
    *,
    component_id: str | None = None,
    person_id: str | None = None,
    schedule_id: str | None = None,
) -> list[str]:
    """Ids of open incidents that name the component, or whose commander or frozen policy
    names the person or schedule."""
    found = []
    query = select(Incident).where(Incident.status != Status.RESOLVED).order_by(Incident.id)
    for incident in session.execute(query).scalars():
        frozen = escalation.snapshot_of(incident)
        if (
            (component_id is not None and component_id in incident.component_ids)
            or (person_id is not None and person_id == incident.commander_id)
            or (frozen is not None and frozen.names("person", person_id))
            or (frozen is not None and frozen.names("schedule", schedule_id))
        ):
            found.append(incident.id)
    return found


def list_incidents(
    session: Session, *, window: Window, status: str | None = None
) -> Slice[Incident]:
    """Incidents, newest first, a page at a time."""
    query = select(Incident)
    if status is not None:
        query = query.where(Incident.status == status)
    return fetch(session, query, [Incident.created_at, Incident.id], window, descending=True)


def read(session: Session, incident: Incident, *, now: datetime) -> IncidentRead:
    """The full read model of an incident."""
    events = list(
        session.execute(
            select(TimelineEvent)
            .where(TimelineEvent.incident_id == incident.id)
            .order_by(TimelineEvent.id)
        ).scalars()
    )
    return IncidentRead(
        id=incident.id,
        title=incident.title,
        severity=Severity(incident.severity),
        status=incident.status,
        service_id=incident.service_id,
        component_ids=incident.component_ids,
        summary=incident.summary,
        source=incident.source,
        commander_id=incident.commander_id,
        created_at=incident.created_at,
        updated_at=incident.updated_at,
        acknowledged_at=incident.acknowledged_at,
        resolved_at=incident.resolved_at,
        deadlines={
            name: DeadlineRead(due_at=d.due_at, met_at=d.met_at, state=d.state)
            for name, d in policy.deadlines(facts(incident), now).items()
        },
        timeline=[
            TimelineRead(
                at=e.at,
                kind=e.kind,
                actor={"kind": e.actor_kind, "id": e.actor_id},
                data=e.data,
                audit_index=e.audit_index,
            )
            for e in events
        ],
        audit_indexes=[e.audit_index for e in events],
    )
