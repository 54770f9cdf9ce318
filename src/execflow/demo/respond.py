"""The demo's people, components, schedule, policy, service, incidents, monitors, window."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from execflow.access.roles import Role
from execflow.demo.actor import DEMO_ACTOR
from execflow.detect.probes.monitors import create_monitor
from execflow.detect.probes.schemas import MonitorCreate
from execflow.respond.catalog import people as directory
from execflow.respond.catalog import service as catalog
from execflow.respond.catalog.models import Component, Person
from execflow.respond.catalog.schemas import ComponentCreate, PersonCreate, ServiceCreate
from execflow.respond.escalation.schemas import PolicyCreate
from execflow.respond.escalation.service import create_policy
from execflow.respond.incidents.schemas import IncidentCreate
from execflow.respond.incidents.service import create_incident
from execflow.respond.maintenance import service as maintenance
from execflow.respond.maintenance.schemas import MaintenanceCreate
from execflow.respond.oncall.schemas import ScheduleCreate
from execflow.respond.oncall.service import create_schedule
from execflow.respond.severity import Severity

_PEOPLE = [
    ("Maya Lindqvist", "Europe/Berlin", Role.ADMIN),
    ("Sam Okafor", "America/New_York", Role.RESPONDER),
    ("Priya Raman", "Asia/Kolkata", Role.RESPONDER),
    ("Leo Martins", "America/Sao_Paulo", Role.VIEWER),
]
"""With console roles, so a mailed sign-in link (an .eml file without SMTP) works for each."""
_COMPONENTS = [
    ("API", "Platform"),
    ("Dashboard", "Platform"),
    ("Payments", "Billing"),
    ("Audit log", "Trust"),
]


def load_respond(session: Session, now: datetime, base_url: str) -> int:
    """People, components, a schedule and policy, a service, two incidents, monitors."""
    if session.execute(select(Person.id).limit(1)).first() is not None:
        return 0
    people = [
        directory.create_person(
            session,
            actor=DEMO_ACTOR,
            now=now,
            data=PersonCreate(
                name=name,
                email=f"{name.split()[0].lower()}@demo.execflow.invalid",
                timezone=tz,
                role=role,
            ),
        )
        for name, tz, role in _PEOPLE
    ]
    components = [
        catalog.create_component(
            session, actor=DEMO_ACTOR, now=now, data=ComponentCreate(name=name, group=group)
        )
        for name, group in _COMPONENTS
    ]
    schedule = create_schedule(
        session,
        actor=DEMO_ACTOR,
        now=now,
        data=ScheduleCreate.model_validate(
            {
                "name": "Platform primary",
                "timezone": "Europe/Berlin",
                "layers": [
                    {
                        "start": "2026-01-05T09:00:00",
                        "rotation": "P1W",
                        "members": [p.id for p in people[:3]],
                    },
                    {
                        "start": "2026-01-05T09:00:00",
                        "rotation": "P1D",
                        "members": [people[3].id],
                        "restrictions": [
                            {"days": ["sat", "sun"], "start": "09:00", "end": "21:00"}
                        ],
                    },
                ],
            }
        ),
    )
    policy = create_policy(
        session,
        actor=DEMO_ACTOR,
        now=now,
        data=PolicyCreate.model_validate(
            {
                "name": "Platform",
                "repeat": 1,
                "steps": [
                    {"delay_minutes": 0, "targets": [{"type": "schedule", "id": schedule.id}]},
                    {"delay_minutes": 10, "targets": [{"type": "person", "id": people[1].id}]},
                ],
            }
        ),
    )
    service = catalog.create_service(
        session,
        actor=DEMO_ACTOR,
        now=now,
        data=ServiceCreate(
            name="Checkout API",
            escalation_policy_id=policy.id,
            component_ids=[components[0].id, components[2].id],
            default_severity="P2",
        ),
    )
    create_incident(
        session,
        actor=DEMO_ACTOR,
        now=now,
        data=IncidentCreate(
            title="Payments API returned 502s",
            severity="P1",
            service_id=service.id,
            summary="A bad deploy of the payments proxy; rolled back.",
            started_at=now - timedelta(days=3, hours=2),
            resolved_at=now - timedelta(days=3),
        ),
        may_import=True,
    )
    create_incident(
        session,
        actor=DEMO_ACTOR,
        now=now,
        data=IncidentCreate(
            title="Dashboard charts load slowly",
            severity="P3",
            service_id=service.id,
            component_ids=[components[1].id],
            summary="p95 page load above 4 s since 09:40.",
        ),
    )
    return (
        len(people) + len(components) + 5 + _detect(session, now, base_url, service.id, components)
    )


def _detect(
    session: Session, now: datetime, base_url: str, service_id: str, components: list[Component]
) -> int:
    """Monitors on the instance itself, a heartbeat, and next Sunday's maintenance window.

    The HTTP and TCP monitors check this server (`base_url`), so under `make run` they are
    up; stop the server and, once it runs again, the worker reports what it saw.
    """
    address = urlsplit(base_url)
    monitors = [
        MonitorCreate(
            name="API health",
            kind="http",
            target=f"{base_url.rstrip('/')}/healthz",
            interval_seconds=30,
            expect={"status": [200], "max_latency_ms": 2000},
            service_id=service_id,
            component_id=components[0].id,
        ),
        MonitorCreate(
            name="API port",
            kind="tcp",
            target=f"{address.hostname or '127.0.0.1'}:{address.port or 80}",
            interval_seconds=60,
            service_id=service_id,
            component_id=components[0].id,
        ),
        MonitorCreate(
            name="Nightly ledger export",
            kind="heartbeat",
            interval_seconds=86_400,
            service_id=service_id,
            component_id=components[2].id,
            severity=Severity.P3,
        ),
    ]
    for monitor in monitors:
        create_monitor(session, data=monitor, actor=DEMO_ACTOR, now=now)
    sunday = (now + timedelta(days=6 - now.weekday() or 7)).replace(
        hour=2, minute=0, second=0, microsecond=0
    )
    maintenance.create(
        session,
        actor=DEMO_ACTOR,
        now=now,
        data=MaintenanceCreate(
            title="Payments database upgrade",
            body="Card payments may be declined for a few minutes during the switch-over.",
            component_ids=[components[2].id],
            starts_at=sunday,
            ends_at=sunday + timedelta(hours=2),
        ),
    )
    return len(monitors) + 1
