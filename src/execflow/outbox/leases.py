"""Claiming due rows with leases, completing them, and rescheduling failures with backoff."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BindParameter,
    Executable,
    Select,
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.orm import Session

from execflow.db import UtcDateTime
from execflow.outbox.items import Claimed
from execflow.outbox.table import DEAD, DONE, PENDING, OutboxRow

SERIAL_LOCK = 0x0E7F_1A6E  # PostgreSQL advisory lock key: the turn to claim serial kinds
BACKOFF_BASE_SECONDS = 5.0
BACKOFF_MAX_SECONDS = 15 * 60.0


# Statements workers run many times a second are built once and reused with bound values.
_NOW: BindParameter[datetime] = bindparam("claim_now", type_=UtcDateTime())


def _claimable(kinds: Sequence[str] | None) -> Select[Any]:
    query = select(OutboxRow).where(
        OutboxRow.state == PENDING,
        (OutboxRow.lease_until.is_(None)) | (OutboxRow.lease_until < _NOW),
    )
    if kinds is not None:
        query = query.where(OutboxRow.kind.in_(kinds))
    return query


@functools.cache
def _next_due_query(kinds: tuple[str, ...] | None) -> Executable:
    groups: list[Sequence[str] | None] = [None] if kinds is None else [[k] for k in kinds]
    soonest = [
        _claimable(group)
        .with_only_columns(OutboxRow.due_at)
        .order_by(OutboxRow.due_at)
        .limit(1)
        .scalar_subquery()
        .label(f"due_{n}")
        for n, group in enumerate(groups)
    ]
    return select(*soonest)  # one round trip however many kinds


def next_due(
    session: Session, *, now: datetime, kinds: Sequence[str] | None = None
) -> datetime | None:
    """When the soonest unleased row falls due (maybe already), or None when none waits.

    One index range per kind: a scan in due order past other kinds' rows (a thousand
    escalation steps due at one instant) would cost idle workers a millisecond a look.
    """
    if kinds is not None and not kinds:
        return None
    query = _next_due_query(None if kinds is None else tuple(kinds))
    found = session.execute(query, {"claim_now": now}).one()
    times = [t for t in found if t is not None]
    return min(times) if times else None


@functools.cache
def _claim_statement(kinds: tuple[str, ...] | None, limit: int, skip_locked: bool) -> Executable:
    due = (
        _claimable(kinds)
        .with_only_columns(OutboxRow.id)
        .where(OutboxRow.due_at <= _NOW)
        .order_by(OutboxRow.due_at, OutboxRow.id)
        .limit(limit)
    )
    if skip_locked:
        due = due.with_for_update(skip_locked=True)
    return (
        update(OutboxRow)
        .where(OutboxRow.id.in_(due))
        .values(
            lease_owner=bindparam("claim_owner"),
            lease_until=bindparam("claim_until"),
            attempts=OutboxRow.attempts + 1,
        )
        .returning(
            OutboxRow.id,
            OutboxRow.kind,
            OutboxRow.payload,
            OutboxRow.attempts,
            OutboxRow.max_attempts,
            OutboxRow.due_at,
        )
        .execution_options(synchronize_session=False)
    )


def claim(
    session: Session,
    *,
    owner: str,
    now: datetime,
    limit: int = 100,
    lease: timedelta = timedelta(seconds=60),
    kinds: Sequence[str] | None = None,
    serial: Collection[str] = (),
) -> list[Claimed]:
    """Lease up to limit due rows to owner, soonest first; the caller commits right after.

    One UPDATE ... WHERE id IN (SELECT ... LIMIT n) RETURNING statement: the rows are
    never loaded as objects. On PostgreSQL the inner SELECT skips rows another worker
    has locked, so two workers claiming at once get different rows (`serial`: see Handler).
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres and kinds is not None and any(kind in serial for kind in kinds):
        turn = session.execute(select(func.pg_try_advisory_xact_lock(SERIAL_LOCK))).scalar_one()
        if not turn:  # another worker holds the turn until its transaction ends
            kinds = [kind for kind in kinds if kind not in serial]
    if kinds is not None and not kinds:
        return []
    statement = _claim_statement(None if kinds is None else tuple(kinds), limit, postgres)
    result = session.execute(
        statement, {"claim_now": now, "claim_owner": owner, "claim_until": now + lease}
    )
    rows = sorted(result.all(), key=lambda row: (row.due_at, row.id))
    return [Claimed(r.id, r.kind, dict(r.payload), r.attempts, r.max_attempts, owner) for r in rows]


def complete_many(
    session: Session, *, item_ids: Sequence[int], owner: str, now: datetime
) -> set[int]:
    """Mark delivered rows done in one statement; returns the ids owner still held."""
    if not item_ids:
        return set()
    result = session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.id.in_(item_ids), OutboxRow.state == PENDING, OutboxRow.lease_owner == owner
        )
        .values(state=DONE, finished_at=now, lease_until=None)
        .returning(OutboxRow.id)
    )
    return set(result.scalars())


def backoff(attempts: int) -> timedelta:
    """Delay before the next try: 5 s doubling per attempt, at most 15 min."""
    seconds = min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)
    return timedelta(seconds=seconds)


def fail(session: Session, *, item_id: int, owner: str, now: datetime, error: str) -> str | None:
    """Record a failed try: schedule a retry with backoff, or give up; returns the new state."""
    row = session.get(OutboxRow, item_id, with_for_update=True)
    if row is None or row.state != PENDING or row.lease_owner != owner:
        return None
    row.last_error = error[:2000]
    row.lease_until = None
    if row.attempts >= row.max_attempts:
        row.state, row.finished_at = DEAD, now
    else:
        row.due_at = now + backoff(row.attempts)
    session.flush()
    return row.state


def pending_count(session: Session) -> int:
    """How many rows wait for delivery."""
    return session.execute(
        select(func.count()).select_from(OutboxRow).where(OutboxRow.state == PENDING)
    ).scalar_one()


def release(session: Session, *, owner: str) -> int:
    """Give back every lease owner holds (on a clean shutdown)."""
    result = session.execute(
        update(OutboxRow)
        .where(OutboxRow.state == PENDING, OutboxRow.lease_owner == owner)
        .values(lease_until=None, lease_owner=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)
