"""Settling what a worker claimed: deliver each item, then record every outcome at once.

Delivered items are completed (while the worker still holds their lease) and their
kinds' database work runs in the same transaction; failed ones are rescheduled with
backoff, or given up on after their last attempt, and each kind may record the failure.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from execflow import outbox

log = logging.getLogger("execflow.workers")


@dataclass(frozen=True)
class Outcome:
    """How one delivery went: done, or failed with the error."""

    item: outbox.Claimed
    error: str | None


def attempt(handlers: Mapping[str, outbox.Handler], item: outbox.Claimed) -> Outcome:
    """Deliver one item (nothing to send for database work); any failure is an Outcome."""
    deliver = handlers[item.kind].deliver
    try:
        if deliver is not None:
            deliver(item)
        return Outcome(item, None)
    except Exception as exc:  # any delivery failure is retried, never lost
        log.warning("delivery of outbox %s (%s) failed: %s", item.id, item.kind, exc)
        return Outcome(item, f"{type(exc).__name__}: {exc}")


def settle(
    session: Session,
    handlers: Mapping[str, outbox.Handler],
    outcomes: list[Outcome],
    *,
    owner: str,
    now: datetime,
) -> None:
    """Complete the delivered items and run their kinds' work; reschedule the failed ones."""
    done = [o.item for o in outcomes if o.error is None]
    held = outbox.complete_many(session, item_ids=[i.id for i in done], owner=owner, now=now)
    by_kind: dict[str, list[outbox.Claimed]] = {}
    for item in done:
        if item.id in held:
            by_kind.setdefault(item.kind, []).append(item)
    # No autoflush: rows the work adds (pages, timeline events, outbox rows) are
    # written together at commit, in a few multi-row INSERTs instead of many.
    with session.no_autoflush:
        for kind, items in by_kind.items():
            work = handlers[kind].done
            if work is not None:
                work(session, items, now)
    for outcome in outcomes:
        if outcome.error is not None:
            _failed(session, handlers, outcome, owner=owner, now=now)


def _failed(
    session: Session,
    handlers: Mapping[str, outbox.Handler],
    outcome: Outcome,
    *,
    owner: str,
    now: datetime,
) -> None:
    item, error = outcome.item, outcome.error or ""
    state = outbox.fail(session, item_id=item.id, owner=owner, now=now, error=error)
    failed = handlers[item.kind].failed
    if state is not None and failed is not None:
        failed(session, item, error, state == outbox.DEAD)
