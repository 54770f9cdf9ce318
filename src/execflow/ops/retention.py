"""Retention: old raw check results, per-minute rollups and delivered outbox rows are removed.

10,000 monitors at 30 s write 28.8 million results and 14.4 million minute rollups a day,
so these go after `retention_days`. Hour and day rollups (charts, the 90-day bars, SLA),
incidents, alerts, dead-lettered outbox rows and the audit log are kept for good. Rows go
in chunks, each its own short transaction, so a large backlog never holds SQLite's write
lock for long. A run that removed anything is one audit-log entry with the counts, written
after the chunks rather than with each (this is housekeeping of derived and delivered rows,
not a change to an incident; a crash between chunks loses a count, never a row the policy
keeps, and the next run logs what it removes).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, select, tuple_

from execflow.clock import Clock
from execflow.db import Base, Database
from execflow.detect.probes.models import CheckResult, Rollup
from execflow.outbox import DONE, OutboxRow
from execflow.prove.log.append import append
from execflow.prove.log.entry import Ref

log = logging.getLogger("execflow.retention")
CHUNK = 5_000
EVERY = timedelta(hours=1)
FIRST_AFTER = timedelta(minutes=1)
ACTOR = Ref("system", "retention")


@dataclass(frozen=True)
class Pruned:
    """How many rows one run removed, by kind."""

    results: int
    minute_rollups: int
    outbox: int

    @property
    def total(self) -> int:
        """All rows removed."""
        return self.results + self.minute_rollups + self.outbox


def _delete_chunks(
    db: Database,
    model: type[Base],
    key: Sequence[Any],
    where: ColumnElement[bool],
    chunk: int,
) -> int:
    """Delete the rows matching where, chunk at a time (key: the primary key's columns)."""
    removed = 0
    chosen = select(*key).where(where).limit(chunk)
    matches = key[0].in_(chosen) if len(key) == 1 else tuple_(*key).in_(chosen)
    while True:
        with db.write_connection() as connection:
            gone = connection.execute(delete(model).where(matches)).rowcount
        removed += gone
        if gone < chunk:
            return removed


def prune(db: Database, *, now: datetime, days: int, chunk: int = CHUNK) -> Pruned:
    """Remove what is older than days; log the run when it removed anything."""
    cutoff = now - timedelta(days=days)
    pruned = Pruned(
        results=_delete_chunks(db, CheckResult, [CheckResult.id], CheckResult.at < cutoff, chunk),
        minute_rollups=_delete_chunks(
            db,
            Rollup,
            [Rollup.monitor_id, Rollup.period, Rollup.start],
            (Rollup.period == "minute") & (Rollup.start < cutoff),
            chunk,
        ),
        outbox=_delete_chunks(
            db,
            OutboxRow,
            [OutboxRow.id],
            (OutboxRow.state == DONE)
            & (OutboxRow.due_at < cutoff)
            & (OutboxRow.finished_at < cutoff),
            chunk,
        ),
    )
    if pruned.total:
        with db.write() as session:
            append(
                session,
                type="retention.pruned",
                at=now,
                actor=ACTOR,
                subject=ACTOR,
                data={**asdict(pruned), "before": cutoff.isoformat(), "days": days},
            )
    return pruned


class Pruner:
    """Runs `prune` a minute after start and then every hour, beside the other loops."""

    def __init__(self, db: Database, clock: Clock, days: int) -> None:
        self.db, self.clock, self.days = db, clock, days
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the loop in a daemon thread."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="execflow-retention", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the loop (a chunk in progress finishes first)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        wait = FIRST_AFTER
        while not self._stop.wait(wait.total_seconds()):
            try:
                pruned = prune(self.db, now=self.clock.now(), days=self.days)
                if pruned.total:
                    log.info("retention removed %s", pruned)
            except Exception:  # the next run tries again
                log.exception("retention run failed")
            wait = EVERY
