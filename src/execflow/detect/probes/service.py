"""The hot path of probing: claiming due checks with leases, and recording what they found."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    Table,
    Update,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from execflow.detect.probes import machine
from execflow.detect.probes.checks import Outcome
from execflow.detect.probes.models import CheckResult, Monitor
from execflow.detect.probes.rollups import add_to_rollups
from execflow.detect.probes.transitions import apply_transition
from execflow.respond.maintenance.service import covers, overlapping


@dataclass(frozen=True)
class Due:
    """What a worker needs to run one claimed check."""

    id: str
    kind: str
    target: str | None
    expect: dict[str, Any]
    timeout: float
    interval: float
    last_heartbeat_at: datetime | None
    due_at: datetime


_MONITORS = cast(Table, Monitor.__table__)


def _set_by_id(**columns: str) -> Update:
    """UPDATE monitors SET column = :param ... WHERE id = :b_id, built once."""
    values: dict[str, BindParameter[Any]] = {c: bindparam(p) for c, p in columns.items()}
    return update(_MONITORS).where(_MONITORS.c.id == bindparam("b_id")).values(values)


# Core statements with bound values: claiming and recording run several times a second
# for thousands of monitors, and ORM objects for each would cost more than the checks.
_MOVE_ON = _set_by_id(next_due_at="b_next", lease_owner="b_owner", lease_until="b_until")
_STEP = _set_by_id(
    state="b_state",
    failures="b_failures",
    successes="b_successes",
    last_checked_at="b_at",
    lease_owner="b_owner",
    lease_until="b_until",
)


def next_due(session: Session) -> datetime | None:
    """When the soonest unpaused monitor falls due (a claim moves it an interval on)."""
    return session.execute(
        select(func.min(Monitor.next_due_at)).where(Monitor.paused.is_(False))
    ).scalar_one()


def claim_due(
    session: Session, *, owner: str, now: datetime, limit: int, lease: timedelta
) -> list[Due]:
    """Lease due monitors to owner and move each one's next check one interval on."""
    query = (
        select(
            Monitor.id,
            Monitor.kind,
            Monitor.target,
            Monitor.expect,
            Monitor.timeout_seconds,
            Monitor.interval_seconds,
            Monitor.last_heartbeat_at,
            Monitor.next_due_at,
        )
        .where(Monitor.next_due_at <= now, Monitor.paused.is_(False))
        .where((Monitor.lease_until.is_(None)) | (Monitor.lease_until < now))
        .order_by(Monitor.next_due_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    due, moves = [], []
    for row in session.execute(query):
        due.append(
            Due(
                row.id,
                row.kind,
                row.target,
                dict(row.expect),
                row.timeout_seconds,
                row.interval_seconds,
                row.last_heartbeat_at,
                row.next_due_at,
            )
        )
        step = timedelta(seconds=row.interval_seconds)
        following = row.next_due_at + step
        # A monitor far behind (a stopped cluster) skips ahead rather than firing a backlog.
        moves.append(
            {
                "b_id": row.id,
                "b_next": following if following > now else now + step,
                "b_owner": owner,
                "b_until": now + lease + step,
            }
        )
    if moves:
        session.execute(_MOVE_ON, moves)
    return due


def record(
    session: Session, *, owner: str, results: Sequence[tuple[str, Outcome, datetime]]
) -> None:
    """Store a batch of results, roll them up, step each state machine, act on transitions."""
    if not results:
        return
    query = select(
        Monitor.id,
        Monitor.state,
        Monitor.failures,
        Monitor.successes,
        Monitor.failures_before_down,
        Monitor.successes_before_up,
        Monitor.component_id,
        Monitor.lease_owner,
        Monitor.lease_until,
    ).where(Monitor.id.in_({monitor_id for monitor_id, _, _ in results}))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    monitors = {row.id: row for row in session.execute(query)}
    kept = [(mid, outcome, at) for mid, outcome, at in results if mid in monitors]
    if not kept:
        return
    times = [at for _, _, at in kept]
    windows = overlapping(session, min(times), max(times))
    held = {(mid, at): covers(windows, monitors[mid].component_id, at) for mid, _, at in kept}
    session.execute(
        insert(CheckResult),
        [
            {
                "monitor_id": mid,
                "at": at,
                "ok": outcome.ok,
                "latency_ms": outcome.latency_ms,
                "detail": outcome.detail[:500],
            }
            for mid, outcome, at in kept
        ],
    )
    add_to_rollups(session, [(mid, at, outcome, held[(mid, at)]) for mid, outcome, at in kept])
    steps: dict[str, dict[str, Any]] = {}
    changes = []
    for monitor_id, outcome, at in kept:
        row = monitors[monitor_id]
        last = steps.get(monitor_id)
        before = (
            machine.Counters(row.state, row.failures, row.successes)
            if last is None
            else machine.Counters(last["b_state"], last["b_failures"], last["b_successes"])
        )
        after = machine.step(
            before,
            ok=outcome.ok,
            degraded=outcome.degraded,
            failures_before_down=row.failures_before_down,
            successes_before_up=row.successes_before_up,
        )
        mine = row.lease_owner == owner
        steps[monitor_id] = {
            "b_id": monitor_id,
            "b_state": after.state,
            "b_failures": after.failures,
            "b_successes": after.successes,
            "b_at": at,
            "b_owner": None if mine else row.lease_owner,
            "b_until": None if mine else row.lease_until,
        }
        if after.state != before.state:
            changes.append((monitor_id, before.state, after.state, outcome, at))
    session.execute(_STEP, list(steps.values()))
    for monitor_id, before_state, after_state, outcome, at in changes:
        monitor = session.get(Monitor, monitor_id, populate_existing=True)
        if monitor is not None:
            apply_transition(
                session,
                monitor,
                before_state,
                after_state,
                outcome,
                now=at,
                held=held[(monitor_id, at)],
            )
