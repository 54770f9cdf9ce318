"""A monitor that recovers stops paging at once, resolves after its hold-down, and a relapse
within the hold-down resumes the same incident's escalation."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from execflow.clock import ManualClock
from execflow.db import Database
from execflow.detect.probes.monitors import create_monitor
from execflow.detect.probes.runner import ProbeRunner
from execflow.detect.probes.schemas import MonitorCreate
from execflow.respond.catalog.models import Component
from execflow.respond.catalog.schemas import ComponentCreate
from execflow.respond.catalog.service import create_component
from execflow.respond.incidents.models import Incident, IncidentUpdate, TimelineEvent
from tests.conftest import MakeWorkers, drain
from tests.respond.factories import ADMIN, standard_setup
from tests.smtp import Mailbox
from tests.target import Target, target


@pytest.fixture
def site() -> Iterator[Target]:
    """The checked endpoint."""
    with target() as found:
        yield found


def _setup(db: Database, clock: ManualClock, url: str, hold: float) -> str:
    """Alice (step 1, at once) and Bob (step 2, a minute later) on a monitored service."""
    with db.write() as session:
        setup = standard_setup(session, clock.now(), second_delay=1)
        component = create_component(
            session, data=ComponentCreate(name="API"), actor=ADMIN, now=clock.now()
        )
        create_monitor(
            session,
            actor=ADMIN,
            now=clock.now(),
            data=MonitorCreate(
                name="API health",
                kind="http",
                target=url,
                interval_seconds=10,
                service_id=setup.service,
                component_id=component.id,
                severity="P2",
                resolve_after_seconds=hold,
            ),
        )
        return component.id


def _tick(runner: ProbeRunner, clock: ManualClock, seconds: float = 10) -> None:
    clock.advance(timedelta(seconds=seconds))
    asyncio.run(runner.run_until_idle())


def _incident(db: Database) -> Incident:
    with db.read() as session:
        [incident] = session.execute(select(Incident)).scalars().all()
        return incident


def _kinds(db: Database, incident_id: str) -> list[str]:
    with db.read() as session:
        rows = session.execute(
            select(TimelineEvent.kind)
            .where(TimelineEvent.incident_id == incident_id)
            .order_by(TimelineEvent.id)
        ).scalars()
        return list(rows)


def _status(db: Database, component_id: str) -> str:
    with db.read() as session:
        component = session.get(Component, component_id)
        assert component is not None
        return component.status


def test_recovery_stops_the_escalation_at_once_and_resolves_after_the_hold_down(
    db: Database,
    clock: ManualClock,
    site: Target,
    mailbox: Mailbox,
    make_workers: MakeWorkers,
) -> None:
    component_id = _setup(db, clock, site.url + "/health", hold=120)
    runner, workers = ProbeRunner(db, clock, "node-a"), make_workers()
    _tick(runner, clock)
    site.stop()
    _tick(runner, clock)
    _tick(runner, clock)
    drain(workers)
    assert [m.to[0] for m in mailbox.wait_for(1)] == ["alice@example.test"]
    incident_id = _incident(db).id
    site.start()
    _tick(runner, clock)
    assert _status(db, component_id) == "operational", "the component is back at once"
    assert _kinds(db, incident_id)[-2:] == ["monitor_recovered", "update_published"]
    with db.read() as session:
        said = session.execute(
            select(IncidentUpdate.status).where(IncidentUpdate.incident_id == incident_id)
        ).scalars()
        assert list(said) == ["monitoring"], "the status page says it recovered at once"
    clock.advance(timedelta(minutes=1))
    drain(workers)
    assert len(mailbox.snapshot()) == 1, "nobody is paged about a target that is back"
    assert _incident(db).status == "triggered", "the hold-down has not passed yet"
    clock.advance(timedelta(seconds=59))
    drain(workers)
    assert _incident(db).status == "triggered"
    clock.advance(timedelta(seconds=1))
    drain(workers)
    resolved = _incident(db)
    assert resolved.status == "resolved"
    assert len(mailbox.snapshot()) == 1


def test_a_relapse_in_the_hold_down_joins_the_incident_and_resumes_paging(
    db: Database,
    clock: ManualClock,
    site: Target,
    mailbox: Mailbox,
    make_workers: MakeWorkers,
) -> None:
    _setup(db, clock, site.url + "/health", hold=300)
    runner, workers = ProbeRunner(db, clock, "node-a"), make_workers()
    _tick(runner, clock)
    site.stop()
    _tick(runner, clock)
    _tick(runner, clock)
    drain(workers)
    mailbox.wait_for(1)
    site.start()
    _tick(runner, clock)
    _tick(runner, clock)
    drain(workers)
    site.stop()
    _tick(runner, clock)
    _tick(runner, clock)
    incident = _incident(db)
    assert incident.status == "triggered", "a relapse joins the same incident"
    assert _kinds(db, incident.id)[-1] == "monitor_down_again"
    drain(workers)
    assert len(mailbox.snapshot()) == 1, "the resumed step waits its own delay"
    clock.advance(timedelta(minutes=1))
    drain(workers)
    assert [m.to[0] for m in mailbox.wait_for(2)] == ["alice@example.test", "bob@example.test"]
    # The first recovery's hold-down timer must not resolve the relapsed incident.
    site.start()
    _tick(runner, clock)
    clock.advance(timedelta(minutes=4))
    drain(workers)
    assert _incident(db).status == "triggered"
    clock.advance(timedelta(minutes=1))
    drain(workers)
    assert _incident(db).status == "resolved"
