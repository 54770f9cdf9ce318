"""Per-minute, per-hour and per-day counts of checks, failures and latency."""

from __future__ import annotations

from datetime import datetime

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


def add_to_rollups(session: Session, monitor_id: str, at: datetime, outcome: Outcome) -> None:
    """Count one result into its minute, hour and day."""
    latency = outcome.latency_ms or 0.0
    for period in PERIODS:
        key = (monitor_id, period, period_start(at, period))
        row = session.get(Rollup, key)
        if row is None:
            row = Rollup(
                monitor_id=monitor_id,
                period=period,
                start=key[2],
                checks=0,
                failures=0,
                latency_ms_sum=0.0,
                latency_ms_max=0.0,
            )
            session.add(row)
        row.checks += 1
        row.failures += 0 if outcome.ok else 1
        row.latency_ms_sum += latency
        row.latency_ms_max = max(row.latency_ms_max, latency)
