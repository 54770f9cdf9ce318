"""Maintenance windows: change them, and ask which components one covers at a moment.

A window's status is derived from the clock: `scheduled` before it starts, `in_progress`
inside it, `completed` after it. Inside a window, monitor results on its components are
counted as maintenance rather than failures and a monitor going down opens no incident;
if the monitor is still down when the window ends, the incident opens then.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from execflow import outbox
from execflow.errors import InvalidInput
from execflow.ids import new_id
from execflow.keyset import Slice, Window, fetch
from execflow.prove.log.entry import Ref
from execflow.records import Change, Configured, apply_changes, get, log_change, require_ids
from execflow.respond.catalog.models import Component
from execflow.respond.maintenance.jobs import WindowEnded, notices
from execflow.respond.maintenance.models import Maintenance
from execflow.respond.maintenance.schemas import (
    MaintenanceCreate,
    MaintenanceRead,
    MaintenanceUpdate,
)

"""Outbox timer at a window's end: whatever it held back is looked at again."""
SCHEDULED, IN_PROGRESS, COMPLETED = "scheduled", "in_progress", "completed"


def status_at(window: Maintenance, now: datetime) -> str:
    """scheduled, in_progress or completed."""
    if now < window.starts_at:
        return SCHEDULED
    return IN_PROGRESS if now < window.ends_at else COMPLETED


def read(window: Maintenance, now: datetime) -> MaintenanceRead:
    """The API view of a window."""
    return MaintenanceRead(
        id=window.id,
        title=window.title,
        body=window.body,
        component_ids=list(window.component_ids),
        starts_at=window.starts_at,
        ends_at=window.ends_at,
        status=status_at(window, now),
        created_at=window.created_at,
        updated_at=window.updated_at,
    )


def list_windows(session: Session, window: Window) -> Slice[Maintenance]:
    """Windows, latest start first, a page at a time."""
    order = [Maintenance.starts_at, Maintenance.id]
    return fetch(session, select(Maintenance), order, window, descending=True)


def windows_naming(session: Session, component_id: str, now: datetime) -> list[str]:
    """Ids of windows not yet ended that name the component (ended ones keep it as history)."""
    query = select(Maintenance).where(Maintenance.ends_at > now)
    return [w.id for w in session.execute(query).scalars() if component_id in w.component_ids]


def overlapping(session: Session, start: datetime, end: datetime) -> list[Maintenance]:
    """Windows that overlap [start, end]."""
    query = select(Maintenance).where(Maintenance.starts_at <= end, Maintenance.ends_at > start)
    return list(session.execute(query).scalars())


def covers(windows: Iterable[Maintenance], component_id: str | None, at: datetime) -> bool:
    """Whether one of the windows holds component_id at the moment at."""
    return component_id is not None and any(
        w.starts_at <= at < w.ends_at and component_id in w.component_ids for w in windows
    )


def _queue_end(session: Session, window: Maintenance, now: datetime) -> None:
    job = WindowEnded(window.id, ends_at=window.ends_at.isoformat())
    outbox.enqueue_many(session, [job.queued(window.ends_at)], now=now)


def create(session: Session, *, data: MaintenanceCreate, actor: Ref, now: datetime) -> Maintenance:
    """Schedule a window."""
    require_ids(session, Component, data.component_ids, "component")
    window = Maintenance(
        id=new_id("mnt"),
        title=data.title,
        body=data.body,
        component_ids=list(dict.fromkeys(data.component_ids)),
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        created_at=now,
        updated_at=now,
    )
    session.add(window)
    _queue_end(session, window, now)
    outbox.enqueue_many(session, notices(window, now=now, scheduled=True), now=now)
    log_change(
        session,
        kind=Configured.MAINTENANCE,
        verb=Change.CREATED,
        subject_id=window.id,
        actor=actor,
        now=now,
        data=_logged(window),
    )
    return window


def update(
    session: Session, *, window_id: str, data: MaintenanceUpdate, actor: Ref, now: datetime
) -> Maintenance:
    """Change a window; a moved end gets a new end timer (the old one finds nothing to do)."""
    window: Maintenance = get(session, Maintenance, window_id, "maintenance")
    if data.component_ids is not None:
        require_ids(session, Component, data.component_ids, "component")
    old_start, old_end = window.starts_at, window.ends_at
    fields = apply_changes(window, data)
    if window.ends_at <= window.starts_at:
        raise InvalidInput("ends_at must be after starts_at")
    window.component_ids = list(dict.fromkeys(window.component_ids))
    window.updated_at = now
    if window.ends_at != old_end:
        _queue_end(session, window, now)
    moved = notices(window, now=now, scheduled=False)
    changed = {"started": window.starts_at != old_start, "ended": window.ends_at != old_end}
    outbox.enqueue_many(session, [q for q in moved if changed[q.payload["phase"]]], now=now)
    log_change(
        session,
        kind=Configured.MAINTENANCE,
        verb=Change.UPDATED,
        subject_id=window.id,
        actor=actor,
        now=now,
        data={"fields": fields, **_logged(window)},
    )
    return window


def delete(session: Session, *, window_id: str, actor: Ref, now: datetime) -> None:
    """Cancel a window; what it held back is looked at again at once."""
    window: Maintenance = get(session, Maintenance, window_id, "maintenance")
    session.delete(window)
    job = WindowEnded(window.id, component_ids=list(window.component_ids))
    outbox.enqueue_many(session, [job.queued()], now=now)
    log_change(
        session,
        kind=Configured.MAINTENANCE,
        verb=Change.DELETED,
        subject_id=window_id,
        actor=actor,
        now=now,
    )


def _logged(window: Maintenance) -> dict[str, object]:
    return {
        "component_ids": list(window.component_ids),
        "starts_at": window.starts_at.isoformat(),
        "ends_at": window.ends_at.isoformat(),
    }
