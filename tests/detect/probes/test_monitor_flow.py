"""Monitors on a moved clock against a real target: down opens, flapping joins, up resolves."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from execflow.access.roles import Role
from execflow.app import create_app
from execflow.clock import ManualClock
from execflow.config import Settings
from execflow.db import Database
from execflow.detect.probes.models import CheckResult, Monitor, Rollup
from execflow.detect.probes.monitors import create_monitor
from execflow.detect.probes.runner import CLAIM_EVERY, IDLE_AT_MOST, LEASE, ProbeRunner
from execflow.detect.probes.schemas import MonitorCreate
from execflow.prove.log.entry import decode_entry
from execflow.prove.log.models import LogEntry
from execflow.respond.catalog.models import Component
from execflow.respond.catalog.schemas import ComponentCreate
from execflow.respond.catalog.service import create_component
from execflow.respond.incidents.models import Incident
from tests.conftest import MakeWorkers, TokenFactory, auth, drain
from tests.respond.factories import ADMIN, make_service
from tests.target import Target, target


@pytest.fixture
def site() -> Iterator[Target]:
    """The service's health endpoint."""
    with target() as found:
        yield found


def _monitor(db: Database, clock: ManualClock, url: str) -> tuple[str, str, str]:
    with db.write() as session:
        service = make_service(session, clock.now(), None)
        component = create_component(
            session, data=ComponentCreate(name="API"), actor=ADMIN, now=clock.now()
        )
        monitor = create_monitor(
            session,
            actor=ADMIN,
            now=clock.now(),
            data=MonitorCreate(
                name="API health",
                kind="http",
                target=url,
                interval_seconds=30,
                service_id=service.id,
                component_id=component.id,
                severity="P2",
            ),
        )
        return monitor.id, service.id, component.id


def _tick(runner: ProbeRunner, clock: ManualClock, seconds: float = 30) -> None:
    clock.advance(timedelta(seconds=seconds))
    asyncio.run(runner.run_until_idle())


def _incidents(db: Database) -> list[Incident]:
    with db.read() as session:
        return list(session.execute(select(Incident).order_by(Incident.created_at)).scalars())


def test_down_after_two_failures_then_flapping_then_resolved(
    db: Database, clock: ManualClock, site: Target, make_workers: MakeWorkers
) -> None:
    monitor_id, _, component_id = _monitor(db, clock, site.url + "/health")
    runner = ProbeRunner(db, clock, "node-a")
    workers = make_workers()
    _tick(runner, clock)
    assert site.hits == 1 and _incidents(db) == []
    site.stop()
    _tick(runner, clock)
    assert _incidents(db) == [], "one failure is not yet down"
    _tick(runner, clock)
    [incident] = _incidents(db)
    assert (incident.source, incident.severity, incident.title) == (
        "monitor",
        "P2",
        "API health is down",
    )
    with db.read() as session:
        assert session.get(Component, component_id).status == "major_outage"  # type: ignore[union-attr]
    site.start()
    _tick(runner, clock)
    drain(workers)
    assert _incidents(db)[0].status == "triggered", "resolution waits for the target to stay up"
    site.stop()
    _tick(runner, clock)
    _tick(runner, clock)
    assert len(_incidents(db)) == 1, "flapping joins the open incident"
    site.start()
    _tick(runner, clock)
    clock.advance(timedelta(minutes=5))
    drain(workers)
    assert _incidents(db)[0].status == "resolved"
    with db.read() as session:
        assert session.get(Component, component_id).status == "operational"  # type: ignore[union-attr]
        states = [
            decode_entry(e)["data"]["to"]
            for e in session.execute(
                select(LogEntry.data).where(LogEntry.type == "monitor.state_changed")
            ).scalars()
        ]
        rollups = (
            session.execute(
                select(Rollup).where(Rollup.monitor_id == monitor_id, Rollup.period == "day")
            )
            .scalars()
            .all()
        )
    assert states == ["up", "down", "up", "down", "up"]
    assert sum(r.checks for r in rollups) == 7 and sum(r.failures for r in rollups) == 4


def test_a_lease_keeps_two_nodes_off_the_same_check(
    db: Database, clock: ManualClock, site: Target
) -> None:
    _monitor(db, clock, site.url)
    clock.advance(timedelta(seconds=30))
    first, second = ProbeRunner(db, clock, "node-a"), ProbeRunner(db, clock, "node-b")
    assert len(first.claim()) == 1
    assert second.claim() == []
    clock.advance(timedelta(seconds=95))  # node-a died: its lease runs out
    assert len(second.claim()) == 1


_REFUSE = {  # the database itself fails every result insert, as a full disk would
    "sqlite": [
        "CREATE TRIGGER refuse BEFORE INSERT ON monitor_results "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$",
        "CREATE TRIGGER refuse BEFORE INSERT ON monitor_results "
        "FOR EACH ROW EXECUTE FUNCTION refuse()",
    ],
}
_ALLOW = {
    "sqlite": ["DROP TRIGGER refuse"],
    "postgresql": ["DROP TRIGGER refuse ON monitor_results"],
}


def _refuse_results(db: Database, refuse: bool) -> None:
    with db.engine.begin() as conn:
        for statement in (_REFUSE if refuse else _ALLOW)[db.engine.dialect.name]:
            conn.execute(text(statement))


def _results(db: Database) -> int:
    with db.read() as session:
        return session.execute(select(func.count()).select_from(CheckResult)).scalar_one()


def test_results_a_failed_write_could_not_record_wait_for_the_next_within_their_lease(
    db: Database, clock: ManualClock, site: Target
) -> None:
    _monitor(db, clock, site.url)
    runner = ProbeRunner(db, clock, "node-a")
    _refuse_results(db, True)
    with pytest.raises(DBAPIError, match="disk full"):
        _tick(runner, clock)
    _refuse_results(db, False)
    assert runner.flush() == 1 and _results(db) == 1, "kept, then recorded"
    _refuse_results(db, True)
    with pytest.raises(DBAPIError):
        _tick(runner, clock)
    _refuse_results(db, False)
    clock.advance(LEASE)  # the monitor's lease ends: another node may check it now
    assert runner.flush() == 0 and _results(db) == 1, "too old to record in order"


def test_an_idle_runner_sleeps_until_the_next_monitor_is_due(
    db: Database, clock: ManualClock, site: Target
) -> None:
    runner = ProbeRunner(db, clock, "node-a")
    assert runner.pause(claimed=0) == IDLE_AT_MOST, "no monitors: look again in a second"
    monitor_id, _, _ = _monitor(db, clock, site.url)
    with db.write() as session:
        session.get_one(Monitor, monitor_id).next_due_at = clock.now() + timedelta(seconds=0.5)
    assert runner.pause(claimed=0) == pytest.approx(0.5)
    clock.advance(timedelta(seconds=0.45))
    assert runner.pause(claimed=0) == CLAIM_EVERY, "never sooner than the busy pace"
    with db.write() as session:
        session.get_one(Monitor, monitor_id).next_due_at = clock.now() + timedelta(minutes=5)
    assert runner.pause(claimed=0) == IDLE_AT_MOST, "nor later than a second"
    assert runner.pause(claimed=3) == CLAIM_EVERY, "busy: claim again soon"


def test_checks_spread_across_the_interval(db: Database, clock: ManualClock) -> None:
    with db.write() as session:
        for n in range(200):
            create_monitor(
                session,
                actor=ADMIN,
                now=clock.now(),
                data=MonitorCreate(
                    name=f"m{n}", kind="tcp", target=f"127.0.0.1:{1000 + n}", interval_seconds=60
                ),
            )
    with db.read() as session:
        offsets = [
            (m.next_due_at - clock.now()).total_seconds()
            for m in session.execute(select(Monitor)).scalars()
        ]
    per_ten_seconds = [sum(1 for o in offsets if s <= o < s + 10) for s in range(0, 60, 10)]
    assert all(15 <= count <= 55 for count in per_ten_seconds), per_ten_seconds


def test_heartbeats_over_http(
    settings: Settings, db: Database, clock: ManualClock, make_token: TokenFactory
) -> None:
    admin = auth(make_token(Role.ADMIN))
    with TestClient(create_app(settings, db=db, clock=clock)) as client:
        created = client.post(
            "/api/v1/monitors",
            headers=admin,
            json={
                "name": "nightly backup",
                "kind": "heartbeat",
                "interval_seconds": 60,
                "expect": {"grace_seconds": 30},
            },
        )
        assert created.status_code == 201
        push_url = created.json()["push_url"]
        assert push_url.startswith(settings.base_url) and created.json()["target"] is None
        runner = ProbeRunner(db, clock, "node-a")
        for _ in range(3):
            clock.advance(timedelta(seconds=60))
            assert client.post(push_url.removeprefix(settings.base_url)).status_code == 202
            asyncio.run(runner.run_until_idle())
        monitor_id = created.json()["id"]
        assert client.get(f"/api/v1/monitors/{monitor_id}", headers=admin).json()["state"] == "up"
        for _ in range(3):
            clock.advance(timedelta(seconds=60))
            asyncio.run(runner.run_until_idle())
        assert client.get(f"/api/v1/monitors/{monitor_id}", headers=admin).json()["state"] == "down"
        results = client.get(f"/api/v1/monitors/{monitor_id}/results", headers=admin).json()
        assert results[0]["ok"] is False and "last heartbeat" in results[0]["detail"]
        assert client.post("/api/v1/heartbeats/unknown").status_code == 404


EVERY_KEY = {
    "http": (
        "http://x",
        {"status": [200], "max_latency_ms": 500, "json_path": "a.0", "json_value": 1},
    ),
    "keyword": ("http://x", {"keyword": "ok", "absent": True, "max_latency_ms": 1.5}),
    "tcp": ("x:5432", {}),
    "tls": ("x:443", {"min_days": 14, "verify": False}),
    "dns": ("x", {"value": "10.0.0.1"}),
    "heartbeat": (None, {"grace_seconds": 0}),
}


@pytest.mark.parametrize("kind", sorted(EVERY_KEY))
def test_every_documented_expectation_is_accepted(
    settings: Settings, db: Database, clock: ManualClock, make_token: TokenFactory, kind: str
) -> None:
    target, expect = EVERY_KEY[kind]
    body = {"name": "x", "kind": kind, "target": target, "expect": expect}
    with TestClient(create_app(settings, db=db, clock=clock)) as client:
        response = client.post("/api/v1/monitors", json=body, headers=auth(make_token(Role.ADMIN)))
    assert response.status_code == 201, response.text
    assert response.json()["expect"] == expect


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "kind": "heartbeat", "target": "http://x"},
        {"name": "x", "kind": "http"},
        {"name": "x", "kind": "http", "target": "ftp://x"},
        {"name": "x", "kind": "tcp", "target": "db.internal"},
        {"name": "x", "kind": "keyword", "target": "http://x"},
        {
            "name": "x",
            "kind": "http",
            "target": "http://x",
            "timeout_seconds": 90,
            "interval_seconds": 30,
        },
        {"name": "x", "kind": "http", "target": "http://x", "service_id": "svc_missing"},
        {"name": "x", "kind": "ping", "target": "x"},
        {"name": "x", "kind": "http", "target": "http://x", "expect": {"status": ["ok"]}},
        {"name": "x", "kind": "http", "target": "http://x", "expect": {"max_latency": 500}},
        {"name": "x", "kind": "http", "target": "http://x", "expect": {"max_latency_ms": "500"}},
        {"name": "x", "kind": "tls", "target": "x:443", "expect": {"min_days": -1}},
        {"name": "x", "kind": "http", "target": "http://x", "expect": {"max_latency_ms": 0}},
        {"name": "x", "kind": "heartbeat", "expect": {"grace_seconds": True}},
        {"name": "x", "kind": "dns", "target": "x", "expect": {"value": 5}},
        {"name": "x", "kind": "tcp", "target": "x:5432", "expect": {"status": [200]}},
        {"name": "x", "kind": "keyword", "target": "http://x", "expect": {"keyword": ""}},
    ],
)
def test_bad_monitors_are_refused(
    settings: Settings,
    db: Database,
    clock: ManualClock,
    make_token: TokenFactory,
    body: dict[str, object],
) -> None:
    with TestClient(create_app(settings, db=db, clock=clock)) as client:
        response = client.post("/api/v1/monitors", json=body, headers=auth(make_token(Role.ADMIN)))
    assert response.status_code == 422
    assert response.json()["error"]["code"] in {"validation_error", "invalid_input"}
