"""Per-minute, per-hour and per-day counts of checks, failures and latency.

A failed check inside a maintenance window counts under `maintenance`, not `failures`:
planned downtime is not downtime.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
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


def add_to_rollups(
    session: Session, results: Sequence[tuple[str, datetime, Outcome, bool]]
) -> None:
    """Count a batch of (monitor, at, outcome, held by maintenance) into their periods."""
    for period in PERIODS:
        deltas: dict[tuple[str, datetime], _Delta] = {}
        for monitor_id, at, outcome, held in results:
            delta = deltas.setdefault((monitor_id, period_start(at, period)), _Delta())
            latency = outcome.latency_ms or 0.0
            delta.checks += 1
            if not outcome.ok:
                if held:
                    delta.maintenance += 1
                else:
                    delta.failures += 1
            delta.latency_sum += latency
            delta.latency_max = max(delta.latency_max, latency)
        monitors = {key[0] for key in deltas}
        starts = {key[1] for key in deltas}
        existing = {
            (row.monitor_id, row.start): row
            for row in session.execute(
                select(Rollup).where(
                    Rollup.period == period,
                    Rollup.monitor_id.in_(monitors),
                    Rollup.start.in_(starts),
                )
            ).scalars()
        }
        for (monitor_id, start), delta in deltas.items():
            row = existing.get((monitor_id, start))
            if row is None:
                session.add(
                    Rollup(
                        monitor_id=monitor_id,
                        period=period,
                        start=start,
                        checks=delta.checks,
                        failures=delta.failures,
                        maintenance=delta.maintenance,
                        latency_ms_sum=delta.latency_sum,
                        latency_ms_max=delta.latency_max,
                    )
                )
                continue
            row.checks += delta.checks
            row.failures += delta.failures
            row.maintenance += delta.maintenance
            row.latency_ms_sum += delta.latency_sum
            row.latency_ms_max = max(row.latency_ms_max, delta.latency_max)
