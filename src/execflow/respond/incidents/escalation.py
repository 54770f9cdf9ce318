"""Running an escalation: the policy frozen onto the incident, each step an outbox timer.

A step is an `incident.escalate` outbox row due at its fire time. Handling it (in the
transaction that completes the row) pages the step's targets, logs the step and queues
the next one, so a restart resumes where it was and two workers never run one step twice.
Steps due together are handled as one batch with bulk statements.

- A step whose targets find nobody (an empty schedule, a deleted person) falls through
  to the next step's people at once, and the log says which steps were skipped and why.
- Steps missed while no worker ran (the workers were stopped) are caught up once: the
  people of every missed step are paged in one batch, each once, the page says how late
  it is, and the rest of the policy runs from now.
- The frozen state carries a `run` number: a restart (severity raised) or a resume
  (a monitor relapsed) starts a new run, and the timers of the old run become no-ops.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from execflow import outbox
from execflow.outbox import Claimed
from execflow.prove.log.entry import Ref
from execflow.respond.escalation import plan
from execflow.respond.escalation.models import EscalationPolicy
from execflow.respond.escalation.snapshot import Snapshot
from execflow.respond.escalation.targets import Found, Targets, paged_and_skipped
from execflow.respond.incidents.events import IncidentEvent
from execflow.respond.incidents.jobs import EscalationStep
from execflow.respond.incidents.lifecycle import Status
from execflow.respond.incidents.models import Incident
from execflow.respond.incidents.timeline import Event, record_many
from execflow.respond.paging.facts import Facts
from execflow.respond.paging.service import PageOrder, page_many

SYSTEM = Ref("system", "escalation")
COLUMNS = (
    Incident.id,
    Incident.title,
    Incident.severity,
    Incident.status,
    Incident.summary,
    Incident.created_at,
    Incident.source,
    Incident.service_id,
)
"""The incident columns a page's Facts are built from, in order."""
LATE_AFTER = timedelta(minutes=1)
"""A step handled later than this after its due time was missed (no worker ran it)."""


def facts_of(incident: Incident) -> Facts:
    """What a page says about a loaded incident."""
    return Facts(*(getattr(incident, column.key) for column in COLUMNS))


def snapshot_of(incident: Incident) -> Snapshot | None:
    """The escalation frozen onto the incident, if any."""
    return None if incident.escalation is None else Snapshot.from_json(incident.escalation)


def _store(incident: Incident, snapshot: Snapshot) -> None:
    incident.escalation = snapshot.as_json()


def start(session: Session, incident: Incident, policy: EscalationPolicy, *, now: datetime) -> None:
    """Freeze the policy onto the incident and queue its first step."""
    snapshot = Snapshot(policy_id=policy.id, steps=policy.steps, repeat=policy.repeat)
    _store(incident, snapshot)
    position, due = plan.first(snapshot.steps, now)
    outbox.enqueue_many(session, [_step_row(incident.id, position, due, snapshot.run)], now=now)


def restart(session: Session, incident: Incident, *, now: datetime) -> bool:
    """Run the frozen policy afresh from its first step (a new run); False without one."""
    current = snapshot_of(incident)
    if current is None:
        return False
    fresh = current.restarted()
    _store(incident, fresh)
    position, due = plan.first(fresh.steps, now)
    outbox.enqueue_many(session, [_step_row(incident.id, position, due, fresh.run)], now=now)
    return True


def pause(incident: Incident) -> bool:
    """Hold a running escalation (its target recovered); True if one was running."""
    current = snapshot_of(incident)
    if current is None or not current.active:
        return False
    _store(incident, current.held())
    return True


def resume(session: Session, incident: Incident, *, now: datetime) -> bool:
    """Resume a paused escalation at the step it waited for, that step's delay from now."""
    current = snapshot_of(incident)
    if current is None or not current.paused:
        return False
    resumed = current.resumed()
    _store(incident, resumed)
    here = resumed.waiting_for
    due = now + plan.delay(resumed.steps, here.step)
    outbox.enqueue_many(session, [_step_row(incident.id, here, due, resumed.run)], now=now)
    return True


def _step_row(incident_id: str, position: plan.Position, due: datetime, run: int) -> outbox.Queued:
    """The outbox timer that fires a step at its due time."""
    job = EscalationStep(incident_id, position.cycle, position.step, due.isoformat(), run)
    return job.queued(due)


def stop(incident: Incident) -> None:
    """Stop a running escalation (acknowledged or resolved); queued steps become no-ops."""
    current = snapshot_of(incident)
    if current is not None and (current.active or current.paused):
        _store(incident, current.stopped())


def run_steps(session: Session, items: Sequence[Claimed], now: datetime) -> None:
    """Fire the due steps whose incidents still wait for them, then queue the next steps.

    A batch costs one read of its incidents and a few bulk statements (incident states,
    pages, outbox rows, timeline events, log entries), whatever its size; rows are read
    and written as plain columns, not as loaded objects.
    """
    jobs = [EscalationStep.of(item.payload) for item in items]
    ids = list({job.incident_id for job in jobs})
    query = select(*COLUMNS, Incident.escalation).where(Incident.id.in_(ids)).with_for_update()
    found = {row.id: row for row in session.execute(query)}
    states = {
        row.id: Snapshot.from_json(row.escalation)
        for row in found.values()
        if row.escalation is not None
    }
    targets = Targets(session)
    orders: list[PageOrder] = []
    events: list[Event] = []
    timers: list[outbox.Queued] = []
    for job in jobs:
        row = found.get(job.incident_id)
        if row is None or not _waiting(row.status, states.get(row.id), job):
            continue
        state = states[row.id]
        steps, repeat = state.steps, state.repeat
        due = datetime.fromisoformat(job.due_at)
        missed = _missed(steps, repeat, state.waiting_for, due, now)
        people, here = targets.step(steps, [p for p, _ in missed], now)
        late = now - due if now - due > LATE_AFTER else None
        data: dict[str, Any] = {
            "cycle": here.cycle,
            "step": here.step,
            "person_ids": people.person_ids,
            "nobody_on_call": not people.person_ids,
            **people.log_data(),
        }
        if late is not None:
            data["due_at"] = due.isoformat()
            data["late_seconds"] = round(late.total_seconds(), 3)
        if len(missed) > 1:  # late: caught up; on time: steps with no delay between them
            data["caught_up" if late else "together"] = [[p.cycle, p.step] for p, _ in missed]
        facts = Facts(*row[: len(COLUMNS)])
        orders.append(
            PageOrder(
                facts,
                people.person_ids,
                "escalation",
                here.cycle,
                here.step,
                late_seconds=late.total_seconds() if late is not None else 0.0,
                missed_due_at=due if late is not None else None,
            )
        )
        events.append(Event(row.id, IncidentEvent.ESCALATED, data))
        # On time, the next step counts from this step's due time; late, from now.
        fired_at = missed[-1][1] if late is None else now
        nxt = plan.following(steps, repeat, here, fired_at)
        if nxt is None:
            states[row.id] = state.stopped()
            continue
        position, next_due = nxt
        states[row.id] = state.at(position)
        timers.append(_step_row(row.id, position, next_due, state.run))
    if not events:
        return
    changed = {e.incident_id for e in events}
    session.connection().execute(
        _SET_STATE,
        [{"b_id": i, "b_state": states[i].as_json(), "b_now": now} for i in changed],
    )
    skipped = page_many(session, orders, now=now)
    if skipped:
        events = [_truthful(e, skipped) for e in events]
    outbox.enqueue_many(session, timers, now=now)
    # Last: appending locks the log head until commit, and other writers wait for it.
    record_many(session, events, actor=SYSTEM, now=now)


def _truthful(event: Event, skipped: set[tuple[str, str]]) -> Event:
    """The event with the people paging skipped (paged a moment ago) moved out of person_ids."""
    already = {person for incident, person in skipped if incident == event.incident_id}
    if not already:
        return event
    paged, passed = paged_and_skipped(event.data["person_ids"], already)
    data = {**event.data, "person_ids": paged, "skipped": event.data.get("skipped", []) + passed}
    return Event(event.incident_id, event.kind, data)


def _missed(
    steps: list[dict[str, Any]], repeat: int, here: plan.Position, due: datetime, now: datetime
) -> list[tuple[plan.Position, datetime]]:
    """This step and every later one that fell due by now (more than one: caught up)."""
    missed = [(here, due)]
    nxt = plan.following(steps, repeat, here, due)
    while nxt is not None and nxt[1] <= now and len(missed) < len(steps) * (repeat + 1):
        missed.append(nxt)
        nxt = plan.following(steps, repeat, nxt[0], nxt[1])
    return missed


_SET_STATE = (
    update(Incident)
    .where(Incident.id == bindparam("b_id"))
    .values(escalation=bindparam("b_state"), updated_at=bindparam("b_now"))
)


def _waiting(status: str, state: Snapshot | None, job: EscalationStep) -> bool:
    """Whether the incident is still triggered and its escalation waits on this step."""
    if status != Status.TRIGGERED or state is None or not state.active:
        return False
    return state.run == job.run and state.waiting_for == plan.Position(job.cycle, job.step)


def commander_candidates(session: Session, incident: Incident, at: datetime) -> Found:
    """Who the frozen policy's first step names now (falling through empty steps)."""
    frozen = snapshot_of(incident)
    if frozen is None:
        return Found()
    found, _ = Targets(session).step(frozen.steps, [plan.Position(0, 0)], at)
    return found


HANDLERS = {EscalationStep.KIND: outbox.Handler(done=run_steps)}
"""The escalation's job and its handler (steps due together run as one batch)."""
