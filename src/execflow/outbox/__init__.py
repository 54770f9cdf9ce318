"""Side effects queued inside a transaction and delivered by workers after commit.

A row becomes visible to workers only when the transaction that queued it commits, so
a rolled-back change never sends anything. Workers claim due rows with a lease
(`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has a single writer), so two nodes never
hold the same row; a crashed node's rows are claimed again once its lease runs out.

Modules: `table` (the rows), `items` (what is queued and claimed, the handler types),
`queue` (enqueueing inside a transaction), `leases` (claim, complete, fail, release).
"""

from __future__ import annotations

from execflow.outbox.items import Claimed, Deliver, Done, Failed, Handler, Job, Queued, each
from execflow.outbox.leases import (
    BACKOFF_BASE_SECONDS,
    BACKOFF_MAX_SECONDS,
    SERIAL_LOCK,
    backoff,
    claim,
    complete_many,
    fail,
    next_due,
    pending_count,
    release,
)
from execflow.outbox.queue import enqueue, enqueue_many
from execflow.outbox.table import DEAD, DONE, PENDING, OutboxRow

__all__ = [
    "BACKOFF_BASE_SECONDS",
    "BACKOFF_MAX_SECONDS",
    "DEAD",
    "DONE",
    "PENDING",
    "SERIAL_LOCK",
    "Claimed",
    "Deliver",
    "Done",
    "Failed",
    "Handler",
    "Job",
    "OutboxRow",
    "Queued",
    "backoff",
    "claim",
    "complete_many",
    "each",
    "enqueue",
    "enqueue_many",
    "fail",
    "next_due",
    "pending_count",
    "release",
]
