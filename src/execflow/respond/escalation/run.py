"""Running an escalation: the policy frozen onto the incident, each step an outbox timer.

A step is an `incident.escalate` outbox row due at its fire time. Handling it (in the
transaction that completes the row) pages the step's targets, logs the step and queues
the next one, so a restart resumes where it was and two workers never run one step twice.
Steps due together are handled as one batch with bulk statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from execflow import outbox
from execflow.outbox import Claimed
from execflow.prove.log.entry import Ref
from execflow.respond.escalation import plan
from execflow.respond.escalation.models import EscalationPolicy
from execflow.respond.incidents.facts import COLUMNS, Facts
from execflow.respond.incidents.models import Incident
from execflow.respond.incidents.timeline import Event, record_many
from execflow.respond.oncall.models import Schedule
from execflow.respond.oncall.service import rota
from execflow.respond.paging.service import PageOrder, page_many

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
    outbox.enqueue_many(session, [_step_row(incident.id, position, due)], now=now)


def _step_row(incident_id: str, position: plan.Position, due: datetime) -> outbox.Queued:
    """The outbox timer that fires a step at its due time."""
    return outbox.Queued(
        ESCALATE,
        {
            "incident_id": incident_id,
            "cycle": position.cycle,
            "step": position.step,
            "due_at": due.isoformat(),
        },
        due_at=due,
    )


def stop(incident: Incident) -> None:
    """Stop a running escalation (acknowledged or resolved); queued steps become no-ops."""
    if incident.escalation is not None and incident.escalation.get("active"):
        incident.escalation = {**incident.escalation, "active": False}


def resolve_targets(
    session: Session,
    targets: list[dict[str, Any]],
    at: datetime,
    on_call: dict[str, str | None] | None = None,
) -> list[str]:
    """Person ids for a step's targets: people as named, schedules by who is on call.

    `on_call` caches schedule lookups across the steps of one batch.
    """
    known = on_call if on_call is not None else {}
    people: list[str] = []
    for target in targets:
        if target["type"] == "person":
            people.append(target["id"])
            continue
        if target["id"] not in known:
            schedule = session.get(Schedule, target["id"])
            who = rota(schedule).on_call(at) if schedule is not None else None
            known[target["id"]] = who.person_id if who is not None else None
        if (person_id := known[target["id"]]) is not None:
            people.append(person_id)
    return list(dict.fromkeys(people))


def run_steps(session: Session, items: Sequence[Claimed], now: datetime) -> None:
    """Fire the due steps whose incidents still wait for them, then queue the next steps.

    A batch costs one read of its incidents and a few bulk statements (incident states,
    pages, outbox rows, timeline events, log entries), whatever its size; rows are read
    and written as plain columns, not as loaded objects.
    """
    ids = list({item.payload["incident_id"] for item in items})
    query = select(*COLUMNS, Incident.escalation).where(Incident.id.in_(ids)).with_for_update()
    found = {row.id: row for row in session.execute(query)}
    states = {row.id: row.escalation for row in found.values()}
    on_call: dict[str, str | None] = {}
    orders: list[PageOrder] = []
    events: list[Event] = []
    timers: list[outbox.Queued] = []
    for item in items:
        row = found.get(item.payload["incident_id"])
        if row is None or not _waiting(row.status, states[row.id], item.payload):
            continue
        state: dict[str, Any] = dict(states[row.id])
        here = plan.Position(int(item.payload["cycle"]), int(item.payload["step"]))
        steps: list[dict[str, Any]] = state["steps"]
        people = resolve_targets(session, steps[here.step]["targets"], now, on_call)
        facts = Facts(*row[: len(COLUMNS)])
        orders.append(PageOrder(facts, people, "escalation", here.cycle, here.step))
        data = {
            "cycle": here.cycle,
            "step": here.step,
            "person_ids": people,
            "nobody_on_call": not people,
        }
        events.append(Event(row.id, "escalated", data))
        fired_at = datetime.fromisoformat(item.payload["due_at"])
        nxt = plan.following(steps, int(state["repeat"]), here, fired_at)
        if nxt is None:
            states[row.id] = {**state, "active": False}
            continue
        position, due = nxt
        states[row.id] = {**state, "cycle": position.cycle, "step": position.step}
        timers.append(_step_row(row.id, position, due))
    if not events:
        return
    changed = {e.incident_id for e in events}
    session.connection().execute(
        _SET_STATE,
        [{"b_id": i, "b_state": states[i], "b_now": now} for i in changed],
    )
    page_many(session, orders, now=now)
    outbox.enqueue_many(session, timers, now=now)
    # Last: appending locks the log head until commit, and other writers wait for it.
    record_many(session, events, actor=SYSTEM, now=now)


_SET_STATE = (
    update(Incident)
    .where(Incident.id == bindparam("b_id"))
    .values(escalation=bindparam("b_state"), updated_at=bindparam("b_now"))
)


def _waiting(status: str, state: dict[str, Any] | None, payload: dict[str, Any]) -> bool:
    """Whether the incident is still triggered and its escalation waits on this step."""
    if status != "triggered" or state is None or not state.get("active"):
        return False
    return (state["cycle"], state["step"]) == (int(payload["cycle"]), int(payload["step"]))


def first_step_people(session: Session, incident: Incident, at: datetime) -> list[str]:
    """Who the frozen policy's first step names now: the incident's commander candidates."""
    if incident.escalation is None:
        return []
    return resolve_targets(session, incident.escalation["steps"][0]["targets"], at)
