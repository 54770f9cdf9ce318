"""Monitors as records: create, list, change, rotate and delete them; the heartbeat push."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from execflow.detect.probes.models import CheckResult, Monitor, Rollup
from execflow.detect.probes.schemas import MonitorCreate, MonitorUpdate
from execflow.errors import Conflict, NotFound
from execflow.ids import new_id
from execflow.keyset import Slice, Window, fetch
from execflow.prove.log.entry import Ref
from execflow.records import Change, Configured, apply_changes, get, log_change, remove, require_ids
from execflow.respond.catalog.models import Component, Service


def _spread(monitor_id: str, interval: float) -> timedelta:
    """A stable offset within the interval, so checks spread evenly instead of bunching."""
    digest = int.from_bytes(hashlib.sha256(monitor_id.encode()).digest()[:4], "big")
    return timedelta(seconds=(digest / 2**32) * interval)


def create_monitor(session: Session, *, data: MonitorCreate, actor: Ref, now: datetime) -> Monitor:
    """Add a monitor; its first check is spread within its interval."""
    if data.service_id is not None:
        require_ids(session, Service, [data.service_id], "service_id")
    if data.component_id is not None:
        require_ids(session, Component, [data.component_id], "component_id")
    monitor_id = new_id("mon")
    monitor = Monitor(
        id=monitor_id,
        name=data.name,
        kind=data.kind,
        target=data.target,
        interval_seconds=data.interval_seconds,
        timeout_seconds=data.timeout_seconds,
        expect=data.expect,
        failures_before_down=data.failures_before_down,
        successes_before_up=data.successes_before_up,
        resolve_after_seconds=data.resolve_after_seconds,
        service_id=data.service_id,
        component_id=data.component_id,
        severity=data.severity.value,
        state="unknown",
        failures=0,
        successes=0,
        paused=False,
        created_at=now,
        heartbeat_key=secrets.token_hex(16) if data.kind == "heartbeat" else None,
        last_heartbeat_at=now if data.kind == "heartbeat" else None,
        next_due_at=now + _spread(monitor_id, data.interval_seconds),
    )
    session.add(monitor)
    session.flush()
    log_change(
        session,
        kind=Configured.MONITOR,
        verb=Change.CREATED,
        subject_id=monitor.id,
        actor=actor,
        now=now,
        data={"kind": data.kind},
    )
    return monitor


def list_monitors(session: Session, window: Window) -> Slice[Monitor]:
    """Monitors by name, a page at a time."""
    return fetch(session, select(Monitor), [Monitor.name, Monitor.id], window)


def results_of(session: Session, *, monitor_id: str, window: Window) -> Slice[CheckResult]:
    """A monitor's results, newest first, a page at a time."""
    get(session, Monitor, monitor_id, "monitor")
    query = select(CheckResult).where(CheckResult.monitor_id == monitor_id)
    return fetch(session, query, [CheckResult.at, CheckResult.id], window, descending=True)


def rotate_heartbeat_key(
    session: Session, *, monitor_id: str, actor: Ref, now: datetime
) -> Monitor:
    """A new push URL for a heartbeat monitor; the old key is refused from now on."""
    monitor: Monitor = get(session, Monitor, monitor_id, "monitor")
    if monitor.heartbeat_key is None:
        raise Conflict(f"monitor {monitor_id} is not a heartbeat monitor: it has no push URL")
    monitor.heartbeat_key = secrets.token_hex(16)
    log_change(
        session,
        kind=Configured.MONITOR,
        verb=Change.KEY_ROTATED,
        subject_id=monitor.id,
        actor=actor,
        now=now,
    )
    return monitor


def update_monitor(
    session: Session, *, monitor_id: str, data: MonitorUpdate, actor: Ref, now: datetime
) -> Monitor:
    """Change a monitor's schedule or thresholds."""
    monitor: Monitor = get(session, Monitor, monitor_id, "monitor")
    fields = apply_changes(monitor, data)
    log_change(
        session,
        kind=Configured.MONITOR,
        verb=Change.UPDATED,
        subject_id=monitor.id,
        actor=actor,
        now=now,
        data={"fields": fields},
    )
    return monitor


def delete_monitor(session: Session, *, monitor_id: str, actor: Ref, now: datetime) -> None:
    """Remove a monitor with its results."""
    monitor = get(session, Monitor, monitor_id, "monitor")
    for model in (CheckResult, Rollup):
        session.execute(delete(model).where(model.monitor_id == monitor_id))
    remove(session, monitor, f"monitor {monitor_id}")
    log_change(
        session,
        kind=Configured.MONITOR,
        verb=Change.DELETED,
        subject_id=monitor_id,
        actor=actor,
        now=now,
    )


def beat(session: Session, *, key: str, now: datetime) -> Monitor:
    """A heartbeat arrived."""
    monitor = session.execute(
        select(Monitor).where(Monitor.heartbeat_key == key)
    ).scalar_one_or_none()
    if monitor is None:
        raise NotFound("no heartbeat monitor has this key")
    monitor.last_heartbeat_at = now
    return monitor
