"""Escalation policies: create, read, change, delete; targets must exist."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from execflow.errors import Conflict
from execflow.ids import new_id
from execflow.keyset import Slice, Window, fetch
from execflow.prove.log.entry import Ref
from execflow.records import Change, Configured, get, log_change, require_ids
from execflow.respond.catalog.models import Person, Service
from execflow.respond.escalation.models import EscalationPolicy
from execflow.respond.escalation.schemas import PolicyCreate, PolicyUpdate, Step
from execflow.respond.oncall.models import Schedule


def _check_targets(session: Session, steps: list[Step]) -> None:
    people = [t.id for s in steps for t in s.targets if t.type == "person"]
    schedules = [t.id for s in steps for t in s.targets if t.type == "schedule"]
    require_ids(session, Person, people, "person")
    require_ids(session, Schedule, schedules, "schedule")


def list_policies(session: Session, window: Window) -> Slice[EscalationPolicy]:
    """Policies by name, a page at a time."""
    order = [EscalationPolicy.name, EscalationPolicy.id]
    return fetch(session, select(EscalationPolicy), order, window)


def create_policy(
    session: Session, *, data: PolicyCreate, actor: Ref, now: datetime
) -> EscalationPolicy:
    """Add a policy."""
    _check_targets(session, data.steps)
    policy = EscalationPolicy(
        id=new_id("esc"),
        name=data.name,
        steps=[s.model_dump() for s in data.steps],
        repeat=data.repeat,
        created_at=now,
        updated_at=now,
    )
    session.add(policy)
    session.flush()
    log_change(
        session,
        kind=Configured.ESCALATION_POLICY,
        verb=Change.CREATED,
        subject_id=policy.id,
        actor=actor,
        now=now,
    )
    return policy


def update_policy(
    session: Session, *, policy_id: str, data: PolicyUpdate, actor: Ref, now: datetime
) -> EscalationPolicy:
    """Change a policy; running incidents keep the copy frozen when they triggered."""
    policy: EscalationPolicy = get(session, EscalationPolicy, policy_id, "escalation policy")
    if data.steps is not None:
        _check_targets(session, data.steps)
        policy.steps = [s.model_dump() for s in data.steps]
    if data.name is not None:
        policy.name = data.name
    if data.repeat is not None:
        policy.repeat = data.repeat
    policy.updated_at = now
    log_change(
        session,
        kind=Configured.ESCALATION_POLICY,
        verb=Change.UPDATED,
        subject_id=policy.id,
        actor=actor,
        now=now,
        data={"fields": sorted(data.model_fields_set)},
    )
    return policy


def delete_policy(session: Session, *, policy_id: str, actor: Ref, now: datetime) -> None:
    """Remove a policy no service uses."""
    policy = get(session, EscalationPolicy, policy_id, "escalation policy")
    users = (
        session.execute(select(Service.id).where(Service.escalation_policy_id == policy_id))
        .scalars()
        .all()
    )
    if users:
        raise Conflict(f"escalation policy {policy_id} is used by {', '.join(users)}")
    session.delete(policy)
    log_change(
        session,
        kind=Configured.ESCALATION_POLICY,
        verb=Change.DELETED,
        subject_id=policy_id,
        actor=actor,
        now=now,
    )


def policies_naming(
    session: Session, *, person_id: str | None = None, schedule_id: str | None = None
) -> list[str]:
    """Ids of policies with a step targeting the person or schedule."""
    found = []
    for policy in session.execute(select(EscalationPolicy).order_by(EscalationPolicy.id)).scalars():
        for step in policy.steps:
            if any(
                (t["type"] == "person" and t["id"] == person_id)
                or (t["type"] == "schedule" and t["id"] == schedule_id)
                for t in step["targets"]
            ):
                found.append(policy.id)
                break
    return found
