"""Maintenance windows: the API, and monitors that go down inside one open nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from execflow.access.roles import Role
from execflow.clock import ManualClock, rfc3339
from execflow.db import Database
from execflow.detect.probes.models import Rollup
from execflow.detect.probes.monitors import create_monitor
from execflow.detect.probes.runner import ProbeRunner
from execflow.detect.probes.schemas import MonitorCreate
from execflow.prove.log.entry import decode_entry
from execflow.prove.log.models import LogEntry
from execflow.respond.catalog.models import Component
from execflow.respond.catalog.schemas import ComponentCreate
from execflow.respond.catalog.service import create_component
from execflow.respond.incidents.models import Incident, TimelineEvent
from execflow.respond.maintenance import service as maintenance
from execflow.respond.maintenance.schemas import MaintenanceCreate
from tests.conftest import MakeWorkers, TokenFactory, auth, drain
from tests.respond.factories import ADMIN, make_service
from tests.target import Target, target


@pytest.fixture
def site() -> Iterator[Target]:
    """The service's health endpoint."""
    with target() as found:
        yield found


def _component(db: Database, clock: ManualClock, name: str = "API") -> str:
    with db.write() as session:
        return create_component(
            session, data=ComponentCreate(name=name), actor=ADMIN, now=clock.now()
        ).id


def _watch(db: Database, clock: ManualClock, url: str, component_id: str) -> str:
    """An HTTP monitor every 30 s on a service, for the component; returns its id."""
    with db.write() as session:
        service = make_service(session, clock.now(), None)
        return create_monitor(
            session,
            actor=ADMIN,
            now=clock.now(),
            data=MonitorCreate(
                name="API health",
                kind="http",
                target=url,
                interval_seconds=30,
                service_id=service.id,
                component_id=component_id,
            ),
        ).id


def _entries(db: Database, kind: str) -> list[dict[str, object]]:
    with db.read() as session:
        rows = session.execute(select(LogEntry.data).where(LogEntry.type == kind)).scalars()
        return [decode_entry(r) for r in rows]


def test_windows_are_scheduled_read_changed_and_cancelled(
    client: TestClient, db: Database, clock: ManualClock, make_token: TokenFactory
) -> None:
    responder = auth(make_token(Role.RESPONDER))
    component = _component(db, clock)
    start = clock.now() + timedelta(hours=1)
    body = {
        "title": "Database upgrade",
        "component_ids": [component],
        "starts_at": rfc3339(start),
        "ends_at": rfc3339(start + timedelta(hours=2)),
    }
    created = client.post("/api/v1/maintenances", json=body, headers=responder)
    assert created.status_code == 201, created.text
    window = created.json()
    assert window["status"] == "scheduled" and window["component_ids"] == [component]
    clock.advance(timedelta(hours=1, minutes=30))
    assert client.get(f"/api/v1/maintenances/{window['id']}", headers=responder).json()[
        "status"
    ] == ("in_progress")
    changed = client.patch(
        f"/api/v1/maintenances/{window['id']}",
        json={"ends_at": rfc3339(start + timedelta(minutes=20))},
        headers=responder,
    )
    assert changed.status_code == 200 and changed.json()["status"] == "completed"
    listed = client.get("/api/v1/maintenances", headers=responder).json()
    assert [w["id"] for w in listed] == [window["id"]]
    gone = client.delete(f"/api/v1/maintenances/{window['id']}", headers=responder)
    assert gone.status_code == 204
    assert client.get(f"/api/v1/maintenances/{window['id']}", headers=responder).status_code == 404
    kinds = [e["type"] for e in _entries(db, "maintenance.created")]
    kinds += [e["type"] for e in _entries(db, "maintenance.updated")]
    kinds += [e["type"] for e in _entries(db, "maintenance.deleted")]
    assert kinds == ["maintenance.created", "maintenance.updated", "maintenance.deleted"]


@pytest.mark.parametrize(
    "change",
    [
        {"ends_at": "2026-01-01T00:00:00Z"},  # ends before it starts
        {"component_ids": ["cmp_nope"]},
        {"component_ids": []},
        {"starts_at": "2026-03-01T10:00:00"},  # no time zone
        {"title": ""},
        {"colour": "red"},
    ],
)
def test_bad_windows_are_refused_and_nothing_is_written(
    client: TestClient,
    db: Database,
    clock: ManualClock,
    make_token: TokenFactory,
    change: dict[str, object],
) -> None:
    component = _component(db, clock)
    body = {
        "title": "Upgrade",
        "component_ids": [component],
        "starts_at": "2026-03-01T10:00:00Z",
        "ends_at": "2026-03-01T12:00:00Z",
        **change,
    }
    response = client.post(
        "/api/v1/maintenances", json=body, headers=auth(make_token(Role.RESPONDER))
    )
    assert response.status_code == 422, response.text
    assert set(response.json()["error"]) >= {"code", "message"}
    assert client.get("/api/v1/maintenances", headers=auth(make_token(Role.VIEWER))).json() == []


def test_viewers_cannot_schedule_and_unknown_windows_are_404(
    client: TestClient, db: Database, clock: ManualClock, make_token: TokenFactory
) -> None:
    viewer = auth(make_token(Role.VIEWER))
    body = {
        "title": "Upgrade",
        "component_ids": [_component(db, clock)],
        "starts_at": "2026-03-01T10:00:00Z",
        "ends_at": "2026-03-01T12:00:00Z",
    }
    assert client.post("/api/v1/maintenances", json=body, headers=viewer).status_code == 403
    responder = auth(make_token(Role.RESPONDER))
    for method in ("GET", "PATCH", "DELETE"):
        response = client.request(
            method, "/api/v1/maintenances/mnt_nope", json={"title": "x"}, headers=responder
        )
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_down_inside_a_window_opens_nothing_until_the_window_ends(
    db: Database, clock: ManualClock, site: Target, make_workers: MakeWorkers
) -> None:
    component = _component(db, clock)
    monitor_id = _watch(db, clock, site.url, component)
    window = MaintenanceCreate(
        title="Planned restart",
        component_ids=[component],
        starts_at=clock.now(),
        ends_at=clock.now() + timedelta(minutes=10),
    )
    with db.write() as session:
        maintenance.create(session, data=window, actor=ADMIN, now=clock.now())
    runner, workers = ProbeRunner(db, clock, "node-a"), make_workers()
    site.stop()
    for _ in range(4):  # two failures make it down; four checks inside the window
        clock.advance(timedelta(seconds=30))
        asyncio.run(runner.run_until_idle())
    drain(workers)
    with db.read() as session:
        assert session.execute(select(Incident)).scalars().all() == []
        assert session.get(Component, component).status == "operational"  # type: ignore[union-attr]
        [day] = session.execute(
            select(Rollup).where(Rollup.monitor_id == monitor_id, Rollup.period == "day")
        ).scalars()
    assert (day.checks, day.failures, day.maintenance) == (4, 0, 4), "planned, not downtime"
    [change] = _entries(db, "monitor.state_changed")
    assert change["data"]["to"] == "down" and change["data"]["maintenance"] is True  # type: ignore[index]

    clock.advance(timedelta(minutes=8))  # the window ends with the target still down
    drain(workers)
    with db.read() as session:
        [incident] = session.execute(select(Incident)).scalars().all()
        assert (incident.title, incident.source) == ("API health is down", "monitor")
        assert session.get(Component, component).status == "major_outage"  # type: ignore[union-attr]
    clock.advance(timedelta(seconds=30))
    asyncio.run(runner.run_until_idle())
    with db.read() as session:
        days = session.execute(
            select(Rollup).where(Rollup.monitor_id == monitor_id, Rollup.period == "day")
        ).scalars()
        assert sum(r.failures for r in days) == 1, "after the window, failures count again"


def test_a_window_on_another_component_changes_nothing(
    client: TestClient,
    db: Database,
    clock: ManualClock,
    site: Target,
    make_token: TokenFactory,
) -> None:
    watched, other = _component(db, clock, "API"), _component(db, clock, "Docs")
    _watch(db, clock, site.url, watched)
    window = {
        "title": "Docs rebuild",
        "component_ids": [other],
        "starts_at": rfc3339(clock.now()),
        "ends_at": rfc3339(clock.now() + timedelta(minutes=10)),
    }
    client.post("/api/v1/maintenances", json=window, headers=auth(make_token(Role.RESPONDER)))
    runner = ProbeRunner(db, clock, "node-a")
    site.stop()
    for _ in range(2):
        clock.advance(timedelta(seconds=30))
        asyncio.run(runner.run_until_idle())
    with db.read() as session:
        assert len(session.execute(select(Incident)).scalars().all()) == 1


def test_a_window_ending_leaves_an_incident_opened_before_it_alone(
    db: Database, clock: ManualClock, site: Target, make_workers: MakeWorkers
) -> None:
    component = _component(db, clock)
    _watch(db, clock, site.url, component)
    runner, workers = ProbeRunner(db, clock, "node-a"), make_workers()
    site.stop()
    for _ in range(2):
        clock.advance(timedelta(seconds=30))
        asyncio.run(runner.run_until_idle())
    window = MaintenanceCreate(
        title="Emergency fix",
        component_ids=[component],
        starts_at=clock.now(),
        ends_at=clock.now() + timedelta(minutes=1),
    )
    with db.write() as session:
        maintenance.create(session, data=window, actor=ADMIN, now=clock.now())
    clock.advance(timedelta(minutes=2))
    drain(workers)
    with db.read() as session:
        [incident] = session.execute(select(Incident)).scalars().all()
        kinds = session.execute(
            select(TimelineEvent.kind).where(TimelineEvent.incident_id == incident.id)
        ).scalars()
        assert "monitor_down_again" not in list(kinds)
