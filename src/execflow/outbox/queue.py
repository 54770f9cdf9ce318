"""Queuing side effects inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy.orm import Session

from execflow.outbox.items import Queued
from execflow.outbox.table import PENDING, OutboxRow


def enqueue(
    session: Session,
    *,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    due_at: datetime | None = None,
    max_attempts: int = 12,
) -> None:
    """Queue one side effect in the caller's transaction."""
    enqueue_many(session, [Queued(kind, payload, due_at, max_attempts)], now=now)


def enqueue_many(
    transaction: Session | Connection, rows: Sequence[Queued], *, now: datetime
) -> None:
    """Queue many side effects in the caller's Session or Core transaction, one INSERT."""
    if not rows:
        return
    connection = transaction.connection() if isinstance(transaction, Session) else transaction
    connection.execute(
        insert(OutboxRow),
        [
            {
                "kind": row.kind,
                "payload": row.payload,
                "state": PENDING,
                "due_at": row.due_at or now,
                "attempts": 0,
                "max_attempts": row.max_attempts,
                "created_at": now,
            }
            for row in rows
        ],
    )
