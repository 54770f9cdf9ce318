"""Ninety daily uptime bars per component, from the probes' day rollups.

A day with no checks is "no data", never "down"; failed checks inside a maintenance window
are counted apart and excluded from the percentage (a day whose only failures were in
maintenance shows as maintenance); a day with a few failed checks is
degraded, one with more is a partial outage, one failing at least half its checks is
down (major outage).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from execflow.detect.probes.models import Monitor, Rollup

DAYS = 90
DEGRADED_BELOW = 0.05
"""A day failing less than this share of its checks is degraded, not an outage."""
DOWN_FROM = 0.5
"""A day failing at least this share of its checks is down."""


_CODES = {
    "operational": "u",
    "degraded_performance": "g",
    "partial_outage": "p",
    "major_outage": "x",
    "maintenance": "m",
    "no_data": "n",
}


@dataclass(frozen=True)
class Day:
    """One bar: a day's counts and what they mean."""

    day: date
    checks: int
    failures: int
    maintenance: int

    @property
    def state(self) -> str:
        """no_data, operational, degraded_performance, partial_outage or major_outage."""
        counted = self.checks - self.maintenance
        if counted <= 0:
            return "maintenance" if self.maintenance else "no_data"
        share = self.failures / counted
        if share == 0:
            return "maintenance" if self.maintenance else "operational"
        if share < DEGRADED_BELOW:
            return "degraded_performance"
        return "partial_outage" if share < DOWN_FROM else "major_outage"

    @property
    def code(self) -> str:
        """The bar's one-letter class: u up, g degraded, p partial, x down, m maintenance,
        n no data (the page repeats it 90 times per component, so it is short)."""
        return _CODES[self.state]

    @property
    def label(self) -> str:
        """The bar's hover text, e.g. '2026-11-30 99.86% up, 3 of 2,160 checks failed'."""
        when = self.day.isoformat()
        counted = self.checks - self.maintenance
        if counted <= 0:
            return f"{when} maintenance only" if self.maintenance else f"{when} no data"
        up = 100 * (counted - self.failures) / counted
        note = f", {self.failures:,} of {counted:,} checks failed" if self.failures else ""
        held = f", {self.maintenance:,} in maintenance" if self.maintenance else ""
        shown = "100" if not self.failures else f"{up:.2f}"
        return f"{when} {shown}% up{note}{held}"


@dataclass(frozen=True)
class Uptime:
    """A component's bars, oldest first, and its percentage over them (None: no data)."""

    days: list[Day]
    percent: float | None


def uptime_by_component(
    session: Session, component_ids: Iterable[str], now: datetime
) -> dict[str, Uptime]:
    """Each component's 90 bars, summing the day rollups of the monitors that watch it."""
    wanted = set(component_ids)
    first = (now - timedelta(days=DAYS - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = session.execute(
        select(
            Monitor.component_id, Rollup.start, Rollup.checks, Rollup.failures, Rollup.maintenance
        )
        .join(Rollup, Rollup.monitor_id == Monitor.id)
        .where(Rollup.period == "day", Rollup.start >= first, Monitor.component_id.is_not(None))
    ).all()
    counts: dict[str, dict[date, list[int]]] = {c: {} for c in wanted}
    for component_id, start, checks, failures, maintenance in rows:
        if component_id not in counts:
            continue
        total = counts[component_id].setdefault(start.date(), [0, 0, 0])
        total[0] += checks
        total[1] += failures
        total[2] += maintenance
    days = [first.date() + timedelta(days=n) for n in range(DAYS)]
    return {c: _uptime(days, counts[c]) for c in wanted}


def uptime_of_monitor(session: Session, monitor_id: str, now: datetime) -> Uptime:
    """One monitor's 90 bars."""
    first = (now - timedelta(days=DAYS - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = session.execute(
        select(Rollup.start, Rollup.checks, Rollup.failures, Rollup.maintenance).where(
            Rollup.monitor_id == monitor_id, Rollup.period == "day", Rollup.start >= first
        )
    ).all()
    counts = {start.date(): [checks, failures, held] for start, checks, failures, held in rows}
    return _uptime([first.date() + timedelta(days=n) for n in range(DAYS)], counts)


def _uptime(days: list[date], counts: dict[date, list[int]]) -> Uptime:
    bars = [Day(d, *counts.get(d, [0, 0, 0])) for d in days]
    counted = sum(b.checks - b.maintenance for b in bars)
    failures = sum(b.failures for b in bars)
    percent = None if counted <= 0 else round(100 * (counted - failures) / counted, 3)
    return Uptime(bars, percent)
