"""Rollups: each batch of results adds into its minute, hour and day in one upsert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from execflow.clock import ManualClock
from execflow.db import Database
from execflow.detect.probes.checks import Outcome
from execflow.detect.probes.models import Rollup
from execflow.detect.probes.monitors import create_monitor
from execflow.detect.probes.rollups import add_to_rollups
from execflow.detect.probes.schemas import MonitorCreate
from tests.respond.factories import ADMIN

AT = datetime(2026, 3, 29, 0, 59, 40, tzinfo=UTC)


def _monitor(db: Database, clock: ManualClock) -> str:
    with db.write() as session:
        return create_monitor(
            session,
            actor=ADMIN,
            now=clock.now(),
            data=MonitorCreate(name="api", kind="tcp", target="127.0.0.1:9", interval_seconds=30),
        ).id


def _rollups(db: Database, monitor_id: str) -> dict[tuple[str, datetime], tuple[int, ...]]:
    with db.read() as session:
        rows = session.execute(select(Rollup).where(Rollup.monitor_id == monitor_id)).scalars()
        return {
            (r.period, r.start): (
                r.checks,
                r.failures,
                r.maintenance,
                round(r.latency_ms_sum),
                round(r.latency_ms_max),
            )
            for r in rows
        }


def test_batches_add_up_across_periods_and_keep_the_largest_latency(
    db: Database, clock: ManualClock
) -> None:
    monitor_id = _monitor(db, clock)
    ok, failed = Outcome(True, 30.0, "200"), Outcome(False, 90.0, "500")
    later = AT + timedelta(seconds=30)  # the next minute and the next hour, the same day
    with db.write() as session:
        add_to_rollups(session, [(monitor_id, AT, ok, False), (monitor_id, AT, failed, False)])
    with db.write() as session:
        add_to_rollups(
            session,
            [
                (monitor_id, AT, Outcome(True, 10.0, "200"), False),
                (monitor_id, later, failed, True),
            ],
        )
    minute, hour = AT.replace(second=0), AT.replace(minute=0, second=0)
    day = AT.replace(hour=0, minute=0, second=0)
    assert _rollups(db, monitor_id) == {
        ("minute", minute): (3, 1, 0, 130, 90),
        ("minute", later.replace(second=0)): (1, 0, 1, 90, 90),  # held by maintenance
        ("hour", hour): (3, 1, 0, 130, 90),
        ("hour", later.replace(minute=0, second=0)): (1, 0, 1, 90, 90),
        ("day", day): (4, 1, 1, 220, 90),
    }
