"""Running an escalation: the policy frozen onto the incident, each step an outbox timer.

A step is an `incident.escalate` outbox row due at its fire time. Handling it (in the
transaction that completes the row) pages the step's targets, logs the step and queues
the next one, so a restart resumes where it was and two workers never run one step twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from execflow import outbox
from execflow.prove.log.entry import Ref
from execflow.respond.escalation import plan
from execflow.respond.escalation.models import EscalationPolicy
from execflow.respond.incidents.models import Incident
from execflow.respond.incidents.timeline import record
from execflow.respond.oncall.models import Schedule
from execflow.respond.oncall.service import rota
from execflow.respond.paging.service import page_people

SYSTEM = Ref("system", "escalation")
ESCALATE = "incident.escalate"


def start(session: Session, incident: Incident, policy: EscalationPolicy, *, now: datetime) -> None:
    """Freeze the policy onto the incident and queue its first step."""
    incident.escalation = {
        "policy_id": policy.id,
        "steps": policy.steps,
        "repeat": policy.repeat,
        "cycle": 0,
        "step": 0,
        "active": True,
    }
    position, due = plan.first(policy.steps, now)
    _queue(session, incident, position, due, now)


def _queue(
    session: Session, incident: Incident, position: plan.Position, due: datetime, now: datetime
) -> None:
    outbox.enqueue(
        session,
        kind=ESCALATE,
        now=now,
        due_at=due,
        payload={
            "incident_id": incident.id,
            "cycle": position.cycle,
            "step": position.step,
            "due_at": due.isoformat(),
        },
    )


def stop(incident: Incident) -> None:
    """Stop a running escalation (acknowledged or resolved); queued steps become no-ops."""
    if incident.escalation is not None and incident.escalation.get("active"):
        incident.escalation = {**incident.escalation, "active": False}


def resolve_targets(session: Session, targets: list[dict[str, Any]], at: datetime) -> list[str]:
    """Person ids for a step's targets: people as named, schedules by who is on call."""
    people: list[str] = []
    for target in targets:
        if target["type"] == "person":
            people.append(target["id"])
            continue
        schedule = session.get(Schedule, target["id"])
        who = rota(schedule).on_call(at) if schedule is not None else None
        if who is not None:
            people.append(who.person_id)
    return list(dict.fromkeys(people))


def run_step(session: Session, payload: dict[str, Any], *, now: datetime) -> None:
    """Fire one step if the incident is still waiting for it, then queue the next."""
    incident = session.get(Incident, payload["incident_id"], with_for_update=True)
    if incident is None or incident.status != "triggered" or incident.escalation is None:
        return
    state = incident.escalation
    here = plan.Position(int(payload["cycle"]), int(payload["step"]))
    if not state.get("active") or (state["cycle"], state["step"]) != (here.cycle, here.step):
        return
    fired_at = datetime.fromisoformat(payload["due_at"])
    steps: list[dict[str, Any]] = state["steps"]
    people = resolve_targets(session, steps[here.step]["targets"], now)
    page_people(
        session, incident, people, reason="escalation", now=now, cycle=here.cycle, step=here.step
    )
    record(
        session,
        incident,
        kind="escalated",
        actor=SYSTEM,
        now=now,
        data={
            "cycle": here.cycle,
            "step": here.step,
            "person_ids": people,
            "nobody_on_call": not people,
        },
    )
    nxt = plan.following(steps, int(state["repeat"]), here, fired_at)
    if nxt is None:
        incident.escalation = {**state, "active": False}
        return
    position, due = nxt
    incident.escalation = {**state, "cycle": position.cycle, "step": position.step}
    _queue(session, incident, position, due, now)


def first_step_people(session: Session, incident: Incident, at: datetime) -> list[str]:
    """Who the frozen policy's first step names now: the incident's commander candidates."""
    if incident.escalation is None:
        return []
    return resolve_targets(session, incident.escalation["steps"][0]["targets"], at)
