"""Deadline timers: logging each deadline once as met or breached, and the P1 commander reminder.

Each pending deadline has an outbox timer at its due time, so a passed deadline is logged
even if nobody touches the incident; an outcome once logged stands (`recorded`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from execflow import outbox
from execflow.prove.log.entry import Ref
from execflow.respond.incidents import deadlines as policy
from execflow.respond.incidents import escalation
from execflow.respond.incidents.events import IncidentEvent
from execflow.respond.incidents.jobs import CommanderReminder, DeadlineCheck
from execflow.respond.incidents.lifecycle import is_open
from execflow.respond.incidents.models import Incident
from execflow.respond.incidents.timeline import record
from execflow.respond.paging.service import page_people
from execflow.respond.severity import (
    COMMANDER_REMINDER_AFTER,
    COMMANDER_WITHIN,
    Severity,
    needs_commander,
)

SYSTEM = Ref("system", "deadlines")


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
        acknowledge_due=incident.acknowledge_due_at,
        commander_due=incident.commander_due_at,
        settled=settled_outcomes(incident.recorded),
    )


def settled_outcomes(recorded: list[Any] | None) -> dict[str, str]:
    """Deadline name -> the outcome logged for it (`recorded` holds `state:name` strings)."""
    outcomes: dict[str, str] = {}
    for item in recorded or []:
        state, _, name = str(item).partition(":")
        outcomes.setdefault(name, state)
    return outcomes


def settle(session: Session, incident: Incident, *, now: datetime) -> None:
    """Log every deadline that became met or breached and has not been logged yet."""
    if incident.imported:
        return
    recorded = list(incident.recorded or [])
    known = facts(incident)
    for name, deadline in policy.deadlines(known, now).items():
        if deadline.state == policy.PENDING or name in known.settled:
            continue
        record(
            session,
            incident,
            kind=IncidentEvent(f"deadline_{deadline.state}"),
            actor=SYSTEM,
            now=now,
            data={
                "deadline": name,
                "due_at": iso(deadline.due_at),
                "met_at": iso(deadline.met_at),
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
            job = DeadlineCheck(incident.id, name)
            outbox.enqueue_many(session, [job.queued(deadline.due_at)], now=now)


def iso(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC, or None."""
    return None if moment is None else moment.astimezone(UTC).isoformat()


def remind_commander_later(session: Session, incident: Incident, *, now: datetime) -> None:
    """Queue the check, 5 minutes before the commander is due, that re-pages for one."""
    due = _reminder_at(incident)
    job = CommanderReminder(incident.id, due.isoformat())
    outbox.enqueue_many(session, [job.queued(due)], now=now)


def _reminder_at(incident: Incident) -> datetime:
    return policy.commander_due(facts(incident)) - COMMANDER_WITHIN + COMMANDER_REMINDER_AFTER


def check_deadline(session: Session, job: DeadlineCheck, now: datetime) -> None:
    """Timer handler: log a deadline that has now passed."""
    incident = session.get(Incident, job.incident_id, with_for_update=True)
    if incident is not None:
        settle(session, incident, now=now)


def remind_commander(session: Session, job: CommanderReminder, now: datetime) -> None:
    """Timer handler: a P1 ten minutes in without a commander pages the commander target."""
    incident = session.get(Incident, job.incident_id, with_for_update=True)
    if (
        incident is None
        or incident.commander_id is not None
        or not is_open(incident.status)
        or not needs_commander(Severity(incident.severity))
        or (job.due_at is not None and job.due_at != _reminder_at(incident).isoformat())
    ):
        return
    found = escalation.commander_candidates(session, incident, now)
    already = page_people(
        session,
        escalation.facts_of(incident),
        found.person_ids,
        reason="commander_reminder",
        now=now,
    )
    data = found.after_paging(already)
    record(
        session, incident, kind=IncidentEvent.COMMANDER_REMINDER, actor=SYSTEM, now=now, data=data
    )


HANDLERS = {
    DeadlineCheck.KIND: outbox.each(DeadlineCheck, check_deadline),
    CommanderReminder.KIND: outbox.each(CommanderReminder, remind_commander),
}
"""The deadline timers' jobs and their handlers."""
