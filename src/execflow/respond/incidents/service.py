"""Opening incidents, reading them, and settling their deadlines."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from execflow import outbox
from execflow.errors import InvalidInput, NotFound
from execflow.ids import new_id
from execflow.prove.log.entry import Ref
from execflow.respond.catalog.models import Component, Service
from execflow.respond.escalation import run as escalation
from execflow.respond.escalation.models import EscalationPolicy
from execflow.respond.incidents import deadlines as policy
from execflow.respond.incidents.models import Incident, TimelineEvent
from execflow.respond.incidents.schemas import (
    DeadlineRead,
    IncidentCreate,
    IncidentRead,
    TimelineRead,
)
from execflow.respond.incidents.timeline import record
from execflow.respond.paging.service import page_people
from execflow.respond.records import require_ids
from execflow.respond.severity import COMMANDER_REMINDER_AFTER, Severity, needs_commander

DEADLINE = "incident.deadline"
COMMANDER_REMINDER = "incident.commander_reminder"
SYSTEM = Ref("system", "deadlines")


def get_incident(session: Session, incident_id: str, *, lock: bool = False) -> Incident:
    """An incident by id, optionally locked for an update; NotFound otherwise."""
    incident = session.get(Incident, incident_id, with_for_update=lock)
    if incident is None:
        raise NotFound(f"no incident {incident_id}")
    return incident


def facts(incident: Incident) -> policy.Facts:
    """What the incident's deadlines are computed from."""
    return policy.Facts(
        severity=Severity(incident.severity),
        created_at=incident.created_at,
        acknowledged_at=incident.acknowledged_at,
        resolved_at=incident.resolved_at,
        commander_at=incident.commander_at,
        first_update_at=incident.first_update_at,
        postmortem_at=incident.postmortem_at,
    )


def settle(session: Session, incident: Incident, *, now: datetime) -> None:
    """Log every deadline that became met or breached and has not been logged yet."""
    if incident.imported:
        return
    recorded = list(incident.recorded or [])
    for name, deadline in policy.deadlines(facts(incident), now).items():
        if deadline.state == policy.PENDING or f"{deadline.state}:{name}" in recorded:
            continue
        record(
            session,
            incident,
            kind=f"deadline_{deadline.state}",
            actor=SYSTEM,
            now=now,
            data={
                "deadline": name,
                "due_at": _iso(deadline.due_at),
                "met_at": _iso(deadline.met_at),
            },
        )
        recorded.append(f"{deadline.state}:{name}")
    incident.recorded = recorded


def schedule_deadlines(session: Session, incident: Incident, *, now: datetime) -> None:
    """Queue a check at each pending deadline's due time, so a passed one is logged."""
    if incident.imported:
        return
    for name, deadline in policy.deadlines(facts(incident), now).items():
        if deadline.state == policy.PENDING and deadline.due_at is not None:
            outbox.enqueue(
                session,
                kind=DEADLINE,
                now=now,
                due_at=deadline.due_at,
                payload={"incident_id": incident.id, "deadline": name},
            )


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def create_incident(
    session: Session,
    *,
    data: IncidentCreate,
    actor: Ref,
    now: datetime,
    source: str = "manual",
    dedup_key: str | None = None,
) -> Incident:
    """Open an incident: log it, freeze and start its escalation, queue its deadline checks."""
    service = session.get(Service, data.service_id) if data.service_id else None
    if data.service_id and service is None:
        raise InvalidInput(
            f"unknown service_id: {data.service_id}", details=[{"field": "service_id"}]
        )
    require_ids(session, Component, data.component_ids, "component_ids")
    severity = data.severity or Severity(service.default_severity if service else "P3")
    components = list(
        dict.fromkeys(data.component_ids or (service.component_ids if service else []))
    )
    imported = data.started_at is not None
    started = data.started_at.astimezone(UTC) if data.started_at else now
    incident = Incident(
        id=new_id("inc"),
        title=data.title,
        severity=severity.value,
        status="triggered",
        service_id=service.id if service else None,
        component_ids=components,
        summary=data.summary,
        source=source,
        dedup_key=dedup_key,
        created_at=started,
        updated_at=now,
        recorded=[],
        imported=imported,
    )
    session.add(incident)
    session.flush()
    record(
        session,
        incident,
        kind="triggered",
        actor=actor,
        now=now,
        data={
            "severity": severity.value,
            "service_id": incident.service_id,
            "component_ids": components,
            "source": source,
            "imported": imported,
            "started_at": _iso(started),
        },
    )
    if data.resolved_at is not None:
        incident.status, incident.resolved_at = "resolved", data.resolved_at.astimezone(UTC)
        record(
            session,
            incident,
            kind="resolved",
            actor=actor,
            now=now,
            data={"resolved_at": _iso(incident.resolved_at), "imported": True},
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
    schedule_deadlines(session, incident, now=now)
    return incident


def remind_commander_later(session: Session, incident: Incident, *, now: datetime) -> None:
    """Queue the 10-minute check that re-pages for a commander if none is named."""
    outbox.enqueue(
        session,
        kind=COMMANDER_REMINDER,
        now=now,
        due_at=incident.created_at + COMMANDER_REMINDER_AFTER,
        payload={"incident_id": incident.id},
    )


def check_deadline(session: Session, payload: dict[str, Any], *, now: datetime) -> None:
    """Timer handler: log a deadline that has now passed."""
    incident = session.get(Incident, payload["incident_id"], with_for_update=True)
    if incident is not None:
        settle(session, incident, now=now)


def remind_commander(session: Session, payload: dict[str, Any], *, now: datetime) -> None:
    """Timer handler: a P1 ten minutes in without a commander pages the commander target."""
    incident = session.get(Incident, payload["incident_id"], with_for_update=True)
    if (
        incident is None
        or incident.commander_id is not None
        or incident.status == "resolved"
        or not needs_commander(Severity(incident.severity))
    ):
        return
    people = escalation.first_step_people(session, incident, now)
    page_people(session, incident, people, reason="commander_reminder", now=now)
    record(
        session,
        incident,
        kind="commander_reminder",
        actor=SYSTEM,
        now=now,
        data={"person_ids": people},
    )


def list_incidents(
    session: Session, *, status: str | None = None, limit: int = 100
) -> list[Incident]:
    """Incidents, newest first."""
    query = select(Incident).order_by(Incident.created_at.desc(), Incident.id).limit(limit)
    if status is not None:
        query = query.where(Incident.status == status)
    return list(session.execute(query).scalars())


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
