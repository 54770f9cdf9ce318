"""Retention: old raw results, minute rollups and delivered outbox rows go; the rest stays."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, insert, select

from execflow.background import background
from execflow.clock import ManualClock
from execflow.config import Settings
from execflow.db import Database
from execflow.detect.probes.models import CheckResult, Rollup
from execflow.detect.probes.monitors import create_monitor
from execflow.detect.probes.schemas import MonitorCreate
from execflow.ops.retention import Pruned, Pruner, prune
from execflow.outbox import DEAD, DONE, PENDING, OutboxRow
from execflow.prove.log.models import LogEntry
from execflow.prove.log.note import Signer
from execflow.workers import ALL, MESSAGES, PROBES, TIMERS
from tests.respond.factories import ADMIN

DAYS = 30


def _fill(db: Database, clock: ManualClock, old_results: int) -> None:
    now = clock.now()
    old, recent = now - timedelta(days=DAYS + 10), now - timedelta(days=DAYS - 10)
    with db.write() as session:
        monitor = create_monitor(
            session,
            actor=ADMIN,
            now=now,
            data=MonitorCreate(name="api", kind="tcp", target="127.0.0.1:9", interval_seconds=30),
        )
        results = [(old, i) for i in range(old_results)] + [(recent, 0)]
        session.execute(
            insert(CheckResult),
            [
                {
                    "monitor_id": monitor.id,
                    "at": at + timedelta(seconds=i),
                    "ok": True,
                    "latency_ms": 1.0,
                    "detail": "ok",
                }
                for at, i in results
            ],
        )
        session.execute(
            insert(Rollup),
            [
                {
                    "monitor_id": monitor.id,
                    "period": period,
                    "start": start,
                    "checks": 1,
                    "failures": 0,
                    "maintenance": 0,
                    "latency_ms_sum": 1.0,
                    "latency_ms_max": 1.0,
                }
                for period, start in (
                    ("minute", old),
                    ("minute", recent),
                    ("hour", old),
                    ("day", old),
                )
            ],
        )
        session.execute(
            insert(OutboxRow),
            [
                {
                    "kind": "webhook",
                    "payload": {},
                    "state": state,
                    "due_at": due,
                    "attempts": 1,
                    "max_attempts": 12,
                    "created_at": due,
                    "finished_at": finished,
                }
                for state, due, finished in (
                    (DONE, old, old),
                    (DONE, recent, recent),
                    (DEAD, old, old),
                    (PENDING, old, None),
                )
            ],
        )


def _count(db: Database, model: type[CheckResult] | type[Rollup] | type[OutboxRow]) -> int:
    with db.read() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def _pruning_entries(db: Database) -> list[LogEntry]:
    with db.read() as session:
        query = select(LogEntry).where(LogEntry.type == "retention.pruned")
        return list(session.execute(query).scalars())


def test_old_rows_go_in_chunks_and_the_run_is_logged(db: Database, clock: ManualClock) -> None:
    _fill(db, clock, old_results=7)
    pruned = prune(db, now=clock.now(), days=DAYS, chunk=3)
    assert pruned == Pruned(results=7, minute_rollups=1, outbox=1)
    assert _count(db, CheckResult) == 1
    with db.read() as session:
        kept = session.execute(select(Rollup.period, Rollup.start)).all()
        states = sorted(session.execute(select(OutboxRow.state)).scalars())
    assert sorted(period for period, _ in kept) == ["day", "hour", "minute"]
    assert states == sorted([DONE, DEAD, PENDING]), "dead letters and pending work stay"
    (entry,) = _pruning_entries(db)
    logged = json.loads(entry.data)
    assert logged["data"]["results"] == 7 and logged["data"]["outbox"] == 1
    assert logged["data"]["days"] == DAYS


def test_a_run_with_nothing_to_remove_logs_nothing(db: Database, clock: ManualClock) -> None:
    _fill(db, clock, old_results=2)
    prune(db, now=clock.now(), days=DAYS)
    assert prune(db, now=clock.now(), days=DAYS) == Pruned(0, 0, 0)
    assert len(_pruning_entries(db)) == 1
    clock.advance(timedelta(days=11))  # now the "recent" rows are old too
    assert prune(db, now=clock.now(), days=DAYS) == Pruned(results=1, minute_rollups=1, outbox=1)


def test_retention_runs_where_the_timers_run(
    db: Database, signer: Signer, clock: ManualClock, settings: Settings
) -> None:
    for role, expected in ((ALL, True), (TIMERS, True), (MESSAGES, False), (PROBES, False)):
        workers = background(db, signer, clock, settings, role=role)
        found = [c for c in workers.companions if isinstance(c, Pruner)]
        assert bool(found) is expected, role
        if found:
            assert found[0].days == settings.retention_days == DAYS
