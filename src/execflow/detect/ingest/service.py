"""Accepting signals (persisted at once) and applying them later: dedup, group, open, resolve.

A request is answered as soon as its signals sit in the outbox. A worker then applies
them in one transaction: a new alert opens an incident on the service, or joins the open
incident of its group (Alertmanager's groupKey, PagerDuty's dedup_key), so a flapping or
noisy alert adds to one incident instead of opening a storm of them. An incident that
alerts opened is resolved when the last of its alerts resolves.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from execflow import outbox
from execflow.detect.ingest.jobs import ApplySignals
from execflow.detect.ingest.models import Alert
from execflow.detect.ingest.seen import Seen
from execflow.detect.ingest.signals import Signal
from execflow.errors import Conflict
from execflow.ids import new_id
from execflow.prove.log.entry import Ref
from execflow.respond.catalog.models import Service
from execflow.respond.incidents import actions
from execflow.respond.incidents.events import IncidentEvent
from execflow.respond.incidents.lifecycle import is_open
from execflow.respond.incidents.models import Incident
from execflow.respond.incidents.schemas import IncidentCreate
from execflow.respond.incidents.service import create_incident
from execflow.respond.incidents.timeline import record
from execflow.respond.severity import Severity


def accept(
    connection: Connection, *, signals: Mapping[str, Sequence[Signal]], now: datetime
) -> None:
    """Persist signals (keyed by service id) for a worker to apply after the reply has gone.

    One outbox row holds a whole intake batch, each service's signals in arrival order,
    so the worker applies a burst in one pass.
    """
    groups = [
        {"service_id": service_id, "signals": [s.as_json() for s in batch]}
        for service_id, batch in signals.items()
    ]
    outbox.enqueue_many(connection, [ApplySignals(groups).queued()], now=now)


def _trigger(
    session: Session, service: Service, signal: Signal, seen: Seen, now: datetime
) -> Alert:
    actor = Ref("integration", service.id)
    alert = seen.alerts.get((service.id, signal.dedup_key))
    joined = alert.incident_id if alert is not None else None
    if alert is not None and joined is not None and seen.is_open(session, joined):
        alert.count += 1
        alert.last_seen = now
        refired = alert.status == "resolved"
        alert.status = "firing"
        # A repeat loads its incident only when it has something to add to it.
        raises = signal.severity is not None and signal.severity < alert.severity
        incident = seen.incident(session, joined) if refired or raises else None
        if incident is not None and refired:
            record(
                session,
                incident,
                kind=IncidentEvent.ALERT_REFIRED,
                actor=actor,
                now=now,
                data={"alert_id": alert.id},
            )
        if incident is not None and raises and signal.severity is not None:
            alert.severity = signal.severity
            _raise(session, incident, signal.severity, actor, now)
        return alert
    severity = signal.severity or service.default_severity
    incident = seen.open_in_group(session, service.id, signal.group_key)
    if incident is None:
        incident = seen.groups[service.id, signal.group_key] = create_incident(
            session,
            actor=actor,
            now=now,
            source=signal.source,
            dedup_key=signal.group_key,
            data=IncidentCreate(
                title=signal.summary or "Alert",
                severity=Severity(severity),
                service_id=service.id,
                summary=signal.details,
            ),
        )
    elif signal.severity is not None:
        _raise(session, incident, signal.severity, actor, now)
    if alert is None:
        alert = Alert(
            id=new_id("alr"),
            service_id=service.id,
            source=signal.source,
            dedup_key=signal.dedup_key,
            group_key=signal.group_key,
            summary=signal.summary,
            severity=severity,
            first_seen=now,
        )
        session.add(alert)
    alert.incident_id, alert.status, alert.last_seen = incident.id, "firing", now
    record(
        session,
        incident,
        kind=IncidentEvent.ALERT_ADDED,
        actor=actor,
        now=now,
        data={"alert_id": alert.id, "source": signal.source, "severity": severity},
    )
    return alert


def _raise(session: Session, incident: Incident, severity: str, actor: Ref, now: datetime) -> None:
    """An alert more severe than its open incident raises the incident (logged, paged)."""
    if severity < incident.severity and is_open(incident.status):
        actions.set_severity(
            session, incident_id=incident.id, severity=Severity(severity), actor=actor, now=now
        )


def _resolve(
    session: Session, service: Service, alert: Alert | None, seen: Seen, now: datetime
) -> None:
    if alert is None or alert.status == "resolved":
        return
    alert.status, alert.last_seen = "resolved", now
    incident = seen.incident(session, alert.incident_id)
    if incident is None or not is_open(incident.status):
        return
    actor = Ref("integration", service.id)
    session.flush()
    firing = session.execute(
        select(func.count())
        .select_from(Alert)
        .where(Alert.incident_id == incident.id, Alert.status == "firing")
    ).scalar_one()
    record(
        session,
        incident,
        kind=IncidentEvent.ALERT_RESOLVED,
        actor=actor,
        now=now,
        data={"alert_id": alert.id, "still_firing": firing},
    )
    if firing == 0 and incident.source != "manual":
        actions.resolve(session, incident_id=incident.id, actor=actor, now=now)


def apply_signal(
    session: Session,
    service: Service,
    signal: Signal,
    now: datetime,
    seen: Seen | None = None,
) -> None:
    """Apply one signal: trigger, resolve or acknowledge its alert.

    `seen` carries what earlier signals in this transaction read (see `apply`).
    """
    seen = seen or Seen()
    key = (service.id, signal.dedup_key)
    seen.read_alerts(session, {key})
    alert = seen.alerts.get(key)
    if signal.action == "trigger":
        seen.alerts[key] = _trigger(session, service, signal, seen, now)
    elif signal.action == "resolve":
        _resolve(session, service, alert, seen, now)
    elif alert is not None and alert.incident_id is not None:
        # Already acknowledged or resolved: nothing more to do.
        with contextlib.suppress(Conflict):
            actions.acknowledge(
                session,
                incident_id=alert.incident_id,
                actor=Ref("integration", service.id),
                now=now,
            )


def apply(session: Session, payloads: Sequence[dict[str, Any]], *, now: datetime) -> None:
    """Worker handler: apply intake batches in order, each service's signals in order.

    Every alert, incident and service is read once for all the batches a worker claimed
    together. (A row queued by an older release holds one service's signals at the top
    level.)
    """
    groups: list[dict[str, Any]] = [g for p in payloads for g in p.get("services", [p])]
    services = {
        service.id: service
        for service in session.execute(
            select(Service).where(Service.id.in_({g["service_id"] for g in groups}))
        ).scalars()
    }
    seen = Seen()
    seen.read_alerts(
        session, {(g["service_id"], raw["dedup_key"]) for g in groups for raw in g["signals"]}
    )
    seen.read_groups(  # for the triggers that may open an incident: not a firing repeat
        session,
        {
            (g["service_id"], raw["group_key"])
            for g in groups
            for raw in g["signals"]
            if raw["action"] == "trigger"
            and not seen.joins_open((g["service_id"], raw["dedup_key"]))
        },
    )
    for group in groups:
        service = services.get(group["service_id"])
        if service is None:  # deleted since
            continue
        for raw in group["signals"]:
            apply_signal(session, service, Signal(**raw), now, seen)


def _apply_batch(session: Session, items: Sequence[outbox.Claimed], now: datetime) -> None:
    apply(session, [item.payload for item in items], now=now)


HANDLERS = {ApplySignals.KIND: outbox.Handler(done=_apply_batch, serial=True)}
"""Intake's job: applied in arrival order, never side by side (no resolve before its trigger)."""
