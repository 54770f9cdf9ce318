"""Per-minute, per-hour and per-day counts of checks, failures and latency.

A failed check inside a maintenance window counts under `maintenance`, not `failures`:
planned downtime is not downtime.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from execflow.detect.probes.checks import Outcome
from execflow.detect.probes.models import Rollup

PERIODS = ("minute", "hour", "day")


def period_start(at: datetime, period: str) -> datetime:
    """The start of the minute, hour or day containing `at` (UTC)."""
    if period == "minute":
        return at.replace(second=0, microsecond=0)
    if period == "hour":
        return at.replace(minute=0, second=0, microsecond=0)
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass
class _Delta:
    checks: int = 0
    failures: int = 0
    maintenance: int = 0
    latency_sum: float = 0.0
    latency_max: float = 0.0


@functools.cache
def _upsert(dialect: str) -> Any:
    """INSERT … ON CONFLICT (monitor, period, start) DO UPDATE adding the new counts."""
    new = (pg_insert if dialect == "postgresql" else sqlite_insert)(Rollup)
    table, added = Rollup.__table__.c, new.excluded
    return new.on_conflict_do_update(
        index_elements=[table.monitor_id, table.period, table.start],
        set_={
            "checks": table.checks + added.checks,
            "failures": table.failures + added.failures,
            "maintenance": table.maintenance + added.maintenance,
            "latency_ms_sum": table.latency_ms_sum + added.latency_ms_sum,
            "latency_ms_max": case(
                (table.latency_ms_max > added.latency_ms_max, table.latency_ms_max),
                else_=added.latency_ms_max,
            ),
        },
    )


def add_to_rollups(
    session: Session, results: Sequence[tuple[str, datetime, Outcome, bool]]
) -> None:
    """Count a batch of (monitor, at, outcome, held by maintenance) into their periods.

    One upsert statement for the batch: rows are never loaded, and two nodes adding to
    the same period at once both count.
    """
    deltas: dict[tuple[str, str, datetime], _Delta] = {}
    for monitor_id, at, outcome, held in results:
        latency = outcome.latency_ms or 0.0
        for period in PERIODS:
            delta = deltas.setdefault((monitor_id, period, period_start(at, period)), _Delta())
            delta.checks += 1
            if not outcome.ok:
                if held:
                    delta.maintenance += 1
                else:
                    delta.failures += 1
            delta.latency_sum += latency
            delta.latency_max = max(delta.latency_max, latency)
    if not deltas:
        return
    session.execute(
        _upsert(session.get_bind().dialect.name),
        [
            {
                "monitor_id": monitor_id,
                "period": period,
                "start": start,
                "checks": delta.checks,
                "failures": delta.failures,
                "maintenance": delta.maintenance,
                "latency_ms_sum": delta.latency_sum,
                "latency_ms_max": delta.latency_max,
            }
            for (monitor_id, period, start), delta in deltas.items()
        ],
    )
