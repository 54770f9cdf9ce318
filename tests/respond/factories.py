"""Factories for Respond tests: people, schedules, policies, services and incidents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from execflow.prove.log.entry import Ref
from execflow.respond.catalog import people
from execflow.respond.catalog import service as catalog
from execflow.respond.catalog.models import Person, Service
from execflow.respond.catalog.schemas import PersonCreate, ServiceCreate
from execflow.respond.escalation.models import EscalationPolicy
from execflow.respond.escalation.schemas import PolicyCreate
from execflow.respond.escalation.service import create_policy
from execflow.respond.incidents.models import Incident
from execflow.respond.incidents.schemas import IncidentCreate
from execflow.respond.incidents.service import create_incident
from execflow.respond.oncall.models import Schedule
from execflow.respond.oncall.schemas import ScheduleCreate
from execflow.respond.oncall.service import create_schedule

ADMIN = Ref("token", "tok_test")


def make_person(session: Session, now: datetime, name: str, **extra: Any) -> Person:
    """A person with an address derived from the name."""
    email = f"{name.lower().replace(' ', '.')}@example.test"
    return people.create_person(
        session, data=PersonCreate(name=name, email=email, **extra), actor=ADMIN, now=now
    )


def make_schedule(
    session: Session,
    now: datetime,
    members: list[str],
    *,
    rotation: str = "P1D",
    start: str = "2026-01-05T09:00:00",
    timezone: str = "UTC",
) -> Schedule:
    """A one-layer schedule."""
    data = ScheduleCreate.model_validate(
        {
            "name": "primary",
            "timezone": timezone,
            "layers": [{"start": start, "rotation": rotation, "members": members}],
        }
    )
    return create_schedule(session, data=data, actor=ADMIN, now=now)


def make_policy(
    session: Session, now: datetime, steps: list[dict[str, Any]], repeat: int = 0
) -> EscalationPolicy:
    """A policy from raw steps."""
    data = PolicyCreate.model_validate({"name": "default", "steps": steps, "repeat": repeat})
    return create_policy(session, data=data, actor=ADMIN, now=now)


def make_service(session: Session, now: datetime, policy_id: str | None) -> Service:
    """A service on a policy."""
    return catalog.create_service(
        session,
        data=ServiceCreate(name="checkout", escalation_policy_id=policy_id),
        actor=ADMIN,
        now=now,
    )


def make_incident(
    session: Session,
    now: datetime,
    service_id: str | None,
    severity: str = "P1",
    title: str = "Checkout is down",
) -> Incident:
    """An incident on a service."""
    data = IncidentCreate.model_validate(
        {"title": title, "severity": severity, "service_id": service_id}
    )
    return create_incident(session, data=data, actor=ADMIN, now=now)


@dataclass
class Setup:
    """Two people, a schedule with Alice on call, and a two-step policy on a service."""

    alice: str
    bob: str
    schedule: str
    policy: str
    service: str


def standard_setup(
    session: Session, now: datetime, *, second_delay: float = 5, repeat: int = 0
) -> Setup:
    """Step 1 pages the schedule (Alice), step 2 pages Bob after second_delay minutes."""
    alice = make_person(session, now, "Alice")
    bob = make_person(session, now, "Bob")
    schedule = make_schedule(session, now, [alice.id])
    policy = make_policy(
        session,
        now,
        [
            {"delay_minutes": 0, "targets": [{"type": "schedule", "id": schedule.id}]},
            {"delay_minutes": second_delay, "targets": [{"type": "person", "id": bob.id}]},
        ],
        repeat=repeat,
    )
    service = make_service(session, now, policy.id)
    return Setup(alice.id, bob.id, schedule.id, policy.id, service.id)
