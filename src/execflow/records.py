"""Row lookups, reference checks and deletes shared by the domain services, and the log
entry every configuration change writes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import Enum, StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import TableClause, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from execflow.errors import Conflict, InvalidInput, NotFound
from execflow.prove.log.append import append
from execflow.prove.log.entry import Ref

T = TypeVar("T")


class Configured(StrEnum):
    """What configuration is: each kind's changes are logged as `<kind>.<change>`."""

    COMPONENT = "component"
    PERSON = "person"
    SERVICE = "service"
    SCHEDULE = "schedule"
    ESCALATION_POLICY = "escalation_policy"
    MONITOR = "monitor"
    MAINTENANCE = "maintenance"
    CUSTOMER = "customer"


class Change(StrEnum):
    """What happened to a piece of configuration."""

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    KEY_ROTATED = "key_rotated"
    WEBHOOK_SECRET_ROTATED = "webhook_secret_rotated"


def log_change(
    session: Session,
    *,
    kind: Configured,
    verb: Change,
    subject_id: str,
    actor: Ref,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> int:
    """Record a configuration change in the audit log."""
    return append(
        session,
        type=f"{kind.value}.{verb.value}",
        at=now,
        actor=actor,
        subject=Ref(kind.value, subject_id),
        data=data or {},
    )


def get(session: Session, model: type[T], item_id: str, what: str) -> T:
    """A row by id, or NotFound naming what was looked for."""
    row = session.get(model, item_id)
    if row is None:
        raise NotFound(f"no {what} {item_id}")
    return row


def remove(session: Session, row: Any, what: str) -> None:
    """Delete a row, or Conflict when other records still point at it."""
    session.delete(row)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"{what} is still referenced by other records") from exc


def require_ids(
    session: Session, model: type[Any] | TableClause, ids: Iterable[str], what: str
) -> None:
    """InvalidInput naming every id that does not exist."""
    wanted = set(ids)
    if not wanted:
        return
    key = model.c.id if isinstance(model, TableClause) else model.id
    found = set(session.execute(select(key).where(key.in_(wanted))).scalars())
    missing = sorted(wanted - found)
    if missing:
        raise InvalidInput(
            f"unknown {what}: {', '.join(missing)}", details=[{"field": what, "ids": missing}]
        )


def apply_changes(
    row: Any, data: BaseModel, *, clearable: frozenset[str] = frozenset()
) -> list[str]:
    """Copy the fields a PATCH body set onto a row; None is skipped unless clearable.

    Returns the names of the fields the body set, for the change's log entry.
    """
    for key, value in data.model_dump(exclude_unset=True).items():
        if value is not None or key in clearable:
            setattr(row, key, value.value if isinstance(value, Enum) else value)
    return sorted(data.model_fields_set)
