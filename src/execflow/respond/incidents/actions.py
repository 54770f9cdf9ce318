"""What responders do to an incident; each action is one timeline event and one log entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from execflow.errors import Conflict, Forbidden, InvalidInput
from execflow.ids import new_id
from execflow.outbox import enqueue_many
from execflow.prove.log.entry import Ref
from execflow.records import require_ids
from execflow.respond.catalog.models import Component, Person
from execflow.respond.incidents import deadlines as policy
from execflow.respond.incidents import escalation
from execflow.respond.incidents.deadline_timers import (
    facts,
    remind_commander_later,
    schedule_deadlines,
    settle,
)
from execflow.respond.incidents.events import IncidentEvent
from execflow.respond.incidents.jobs import PostmortemReminder
from execflow.respond.incidents.lifecycle import Action, Lifecycle, Refused, Status, is_open
from execflow.respond.incidents.models import Incident, IncidentNote, IncidentUpdate
from execflow.respond.incidents.public_updates import (
    arm_first_update,
    publish,
    publish_resolution,
)
from execflow.respond.incidents.schemas import IncidentPatch, UpdateIn
from execflow.respond.incidents.service import check_not_future, get_incident
from execflow.respond.incidents.timeline import record
from execflow.respond.paging.service import page_people
from execflow.respond.severity import Severity, is_public, needs_commander

REMIND = (timedelta(hours=24), timedelta(hours=48))
"""Post-mortem reminders to the commander, from resolution (the deadline is 72 hours)."""


def _open(session: Session, incident_id: str) -> Incident:
    incident = get_incident(session, incident_id, lock=True)
    if not is_open(incident.status):
        raise Conflict(f"incident {incident_id} is resolved")
    return incident


def _move(incident: Incident, action: Action, at: datetime) -> None:
    """Apply a lifecycle transition to the row; a refused one is a 409."""
    before = Lifecycle(Status(incident.status), incident.acknowledged_at, incident.resolved_at)
    try:
        after = before.apply(action, at)
    except Refused as exc:
        raise Conflict(f"{exc} ({incident.id})") from exc
    incident.status = after.status.value
    incident.acknowledged_at, incident.resolved_at = after.acknowledged_at, after.resolved_at


def acknowledge(session: Session, *, incident_id: str, actor: Ref, now: datetime) -> Incident:
    """Acknowledge a triggered incident: its escalation stops."""
    incident = get_incident(session, incident_id, lock=True)
    _move(incident, Action.ACKNOWLEDGE, now)
    escalation.stop(incident)
    record(session, incident, kind=IncidentEvent.ACKNOWLEDGED, actor=actor, now=now)
    settle(session, incident, now=now)
    schedule_deadlines(session, incident, now=now)
    arm_first_update(session, incident, now=now)
    return incident


def resolve(
    session: Session,
    *,
    incident_id: str,
    actor: Ref,
    now: datetime,
    resolved_at: datetime | None = None,
    may_backdate: bool = False,
) -> Incident:
    """Resolve an incident (at resolved_at, for corrections and imports: admins only)."""
    if resolved_at is not None and not may_backdate:
        raise Forbidden("only admins may give resolved_at")
    incident = _open(session, incident_id)
    check_not_future(now, started_at=None, resolved_at=resolved_at)
    at = (resolved_at or now).astimezone(UTC)
    if at < incident.created_at:
        raise InvalidInput("resolved_at is before the incident started")
    _move(incident, Action.RESOLVE, at)
    escalation.stop(incident)
    record(
        session,
        incident,
        kind=IncidentEvent.RESOLVED,
        actor=actor,
        now=now,
        data={"resolved_at": at.isoformat()},
    )
    settle(session, incident, now=now)
    schedule_deadlines(session, incident, now=now)
    publish_resolution(session, incident, now=now)
    if is_public(Severity(incident.severity)) and incident.postmortem_at is None:
        reminders = [
            PostmortemReminder(incident.id, int(h.total_seconds() // 3600)) for h in REMIND
        ]
        enqueue_many(
            session, [r.queued(at + h) for r, h in zip(reminders, REMIND, strict=True)], now=now
        )
    return incident


def set_commander(
    session: Session, *, incident_id: str, person_id: str, actor: Ref, now: datetime
) -> Incident:
    """Name the Incident Commander."""
    incident = _open(session, incident_id)
    require_ids(session, Person, [person_id], "person_id")
    if incident.commander_id == person_id:
        raise Conflict(f"{person_id} is already the commander")
    previous = incident.commander_id
    incident.commander_id = person_id
    incident.commander_at = incident.commander_at or now
    record(
        session,
        incident,
        kind=IncidentEvent.COMMANDER_ASSIGNED,
        actor=actor,
        now=now,
        data={"person_id": person_id, "previous": previous},
    )
    settle(session, incident, now=now)
    return incident


def add_note(
    session: Session, *, incident_id: str, body: str, actor: Ref, now: datetime
) -> Incident:
    """A private note on the timeline (the log keeps its length, not its text)."""
    incident = get_incident(session, incident_id, lock=True)
    record(
        session,
        incident,
        kind=IncidentEvent.NOTE_ADDED,
        actor=actor,
        now=now,
        data={"length": len(body), "note_id": _store_note(session, incident, body, now)},
    )
    return incident


def _store_note(session: Session, incident: Incident, body: str, now: datetime) -> str:
    note = IncidentNote(id=new_id("note"), incident_id=incident.id, body=body, created_at=now)
    session.add(note)
    return note.id


def add_update(
    session: Session, *, incident_id: str, data: UpdateIn, actor: Ref, now: datetime
) -> IncidentUpdate:
    """A public update; it may change component statuses, and 'resolved' resolves."""
    incident = get_incident(session, incident_id, lock=True)
    if not is_open(incident.status) and data.status != "resolved":
        raise Conflict(f"incident {incident_id} is resolved")
    update = publish(
        session,
        incident,
        status=data.status,
        body=data.body,
        component_statuses={k: v.value for k, v in data.component_statuses.items()},
        actor=actor,
        now=now,
    )
    if data.status == "resolved" and is_open(incident.status):
        resolve(session, incident_id=incident.id, actor=actor, now=now)
    else:
        settle(session, incident, now=now)
    return update


def set_severity(
    session: Session, *, incident_id: str, severity: Severity, actor: Ref, now: datetime
) -> Incident:
    """Change the severity of an open incident; its deadlines move (see `deadlines.retime`).

    A raise pages again: a triggered incident's policy runs afresh from step 1, and an
    acknowledged one pages step 1's people once; a raise to P1 starts the commander clock.
    """
    incident = _open(session, incident_id)
    if incident.severity == severity.value:
        raise Conflict(f"incident {incident_id} is already {severity.value}")
    previous = Severity(incident.severity)
    settle(session, incident, now=now)  # outcomes due under the old severity stand
    incident.acknowledge_due_at, incident.commander_due_at = policy.retime(
        facts(incident), severity, now
    )
    incident.severity = severity.value
    raised = severity < previous
    record(
        session,
        incident,
        kind=IncidentEvent.SEVERITY_CHANGED,
        actor=actor,
        now=now,
        data={"from": previous.value, "to": severity.value, "raised": raised},
    )
    if raised:
        _page_again(session, incident, now=now)
    settle(session, incident, now=now)
    schedule_deadlines(session, incident, now=now)
    if needs_commander(severity) and not needs_commander(previous) and not incident.commander_id:
        remind_commander_later(session, incident, now=now)
    if raised and incident.status == Status.ACKNOWLEDGED:
        arm_first_update(session, incident, now=now)
    return incident


def _page_again(session: Session, incident: Incident, *, now: datetime) -> None:
    """After a raise: restart a triggered incident's escalation; page an acknowledged one's
    first step once."""
    if incident.status == Status.TRIGGERED:
        escalation.restart(session, incident, now=now)
        return
    found = escalation.commander_candidates(session, incident, now)
    already = page_people(
        session, escalation.facts_of(incident), found.person_ids, reason="severity_raised", now=now
    )
    data = {**found.after_paging(already), "reason": "severity_raised"}
    record(
        session,
        incident,
        kind=IncidentEvent.PAGED_AGAIN,
        actor=escalation.SYSTEM,
        now=now,
        data=data,
    )


def patch(
    session: Session, *, incident_id: str, data: IncidentPatch, actor: Ref, now: datetime
) -> Incident:
    """Change the title, summary or components."""
    incident = get_incident(session, incident_id, lock=True)
    if data.component_ids is not None:
        require_ids(session, Component, data.component_ids, "component_ids")
        incident.component_ids = list(dict.fromkeys(data.component_ids))
    if data.title is not None:
        incident.title = data.title
    if data.summary is not None:
        incident.summary = data.summary
    record(
        session,
        incident,
        kind=IncidentEvent.EDITED,
        actor=actor,
        now=now,
        data={"fields": sorted(data.model_fields_set)},
    )
    return incident
