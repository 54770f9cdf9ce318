"""Appending entries to the log inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from execflow.errors import InvalidInput
from execflow.prove.log.entry import EntryError, Ref, encode_entry
from execflow.prove.log.models import LogEntry, LogHead

_BUMP = (
    update(LogHead)
    .where(LogHead.id == 1)
    .values(size=LogHead.size + bindparam("count"))
    .returning(LogHead.size)
)
_INSERT = insert(LogEntry)


@dataclass(frozen=True)
class Prepared:
    """An encoded entry with the columns it is indexed by."""

    data: bytes
    type: str
    subject: Ref


def prepare(*, type: str, at: datetime, actor: Ref, subject: Ref, data: dict[str, Any]) -> Prepared:
    """Encode one entry, turning encoding problems into InvalidInput."""
    try:
        raw = encode_entry(type=type, at=at, actor=actor, subject=subject, data=data)
    except EntryError as exc:
        raise InvalidInput(str(exc)) from exc
    return Prepared(raw, type, subject)


def append_prepared(session: Session, items: Sequence[Prepared]) -> range:
    """Append entries in order and return their indexes.

    The UPDATE of the head row takes its row lock (the write lock on SQLite) until the
    caller commits, so indexes are handed out and committed strictly in order: every
    committed prefix of the log is gap-free, which the integrator relies on.
    """
    if not items:
        return range(0)
    # Core statements on the session's connection: same transaction, no ORM overhead.
    connection = session.connection()
    size = connection.execute(_BUMP, {"count": len(items)}).scalar_one()
    first = size - len(items)
    connection.execute(
        _INSERT,
        [
            {
                "idx": first + offset,
                "data": item.data,
                "type": item.type,
                "subject_kind": item.subject.kind,
                "subject_id": item.subject.id,
            }
            for offset, item in enumerate(items)
        ],
    )
    return range(first, size)


def append(
    session: Session,
    *,
    type: str,
    at: datetime,
    actor: Ref,
    subject: Ref,
    data: dict[str, Any],
) -> int:
    """Append one entry in the caller's transaction and return its index."""
    item = prepare(type=type, at=at, actor=actor, subject=subject, data=data)
    return append_prepared(session, [item])[0]
