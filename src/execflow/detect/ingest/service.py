"""Accepting signals (persisted at once) and applying them later: dedup, group, open, resolve.

A request is answered as soon as its signals sit in the outbox. A worker then applies
them in one transaction: a new alert opens an incident on the service, or joins the open
incident of its group (Alertmanager's groupKey, PagerDuty's dedup_key), so a flapping or
noisy alert adds to one incident instead of opening a storm of them. An incident that
alerts opened is resolved when the last of its alerts resolves.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from execflow import outbox
from execflow.detect.ingest.models import Alert
from execflow.detect.ingest.signals import Signal
from execflow.errors import Conflict
from execflow.ids import new_id
from execflow.prove.log.entry import Ref
from execflow.respond.catalog.models import Service
from execflow.respond.incidents import actions
from execflow.respond.incidents.models import Incident
from execflow.respond.incidents.schemas import IncidentCreate
from execflow.respond.incidents.service import create_incident
from execflow.respond.incidents.timeline import record
from execflow.respond.severity import Severity

APPLY = "ingest.signals"


def accept(session: Session, *, service: Service, signals: list[Signal], now: datetime) -> None:
    """Persist signals for a worker to apply after the reply has gone."""
    outbox.enqueue(
        session,
        kind=APPLY,
        now=now,
        payload={
            "service_id": service.id,
            "signals": [s.as_json() for s in signals],
        },
    )


def _open_incident(session: Session, service_id: str, group_key: str) -> Incident | None:
    return session.execute(
        select(Incident)
        .where(
            Incident.service_id == service_id,
            Incident.dedup_key == group_key,
            Incident.status != "resolved",
        )
        .order_by(Incident.created_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def _trigger(
    session: Session, service: Service, signal: Signal, alert: Alert | None, now: datetime
) -> None:
    actor = Ref("integration", service.id)
    if alert is not None and alert.incident_id is not None:
        incident = session.get(Incident, alert.incident_id)
        if incident is not None and incident.status != "resolved":
            alert.count += 1
            alert.last_seen = now
            if alert.status == "resolved":
                alert.status = "firing"
                record(
                    session,
                    incident,
                    kind="alert_refired",
                    actor=actor,
                    now=now,
                    data={"alert_id": alert.id},
                )
            return
    severity = signal.severity or service.default_severity
    incident = _open_incident(session, service.id, signal.group_key)
    if incident is None:
        incident = create_incident(
            session,
            actor=actor,
            now=now,
            source=signal.source,
            dedup_key=signal.group_key,
            data=IncidentCreate(
                title=signal.summary or "Alert", severity=Severity(severity), service_id=service.id
            ),
        )
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
    session.flush()
    record(
        session,
        incident,
        kind="alert_added",
        actor=actor,
        now=now,
        data={"alert_id": alert.id, "source": signal.source, "severity": severity},
    )


def _resolve(session: Session, service: Service, alert: Alert | None, now: datetime) -> None:
    if alert is None or alert.status == "resolved":
        return
    alert.status, alert.last_seen = "resolved", now
    incident = session.get(Incident, alert.incident_id) if alert.incident_id else None
    if incident is None or incident.status == "resolved":
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
        kind="alert_resolved",
        actor=actor,
        now=now,
        data={"alert_id": alert.id, "still_firing": firing},
    )
    if firing == 0 and incident.source != "manual":
        actions.resolve(session, incident_id=incident.id, actor=actor, now=now)


def apply_signal(session: Session, service: Service, signal: Signal, now: datetime) -> None:
    """Apply one signal: trigger, resolve or acknowledge its alert."""
    alert = session.execute(
        select(Alert).where(Alert.service_id == service.id, Alert.dedup_key == signal.dedup_key)
    ).scalar_one_or_none()
    if signal.action == "trigger":
        _trigger(session, service, signal, alert, now)
    elif signal.action == "resolve":
        _resolve(session, service, alert, now)
    elif alert is not None and alert.incident_id is not None:
        # Already acknowledged or resolved: nothing more to do.
        with contextlib.suppress(Conflict):
            actions.acknowledge(
                session,
                incident_id=alert.incident_id,
                actor=Ref("integration", service.id),
                now=now,
            )


def apply(session: Session, payload: dict[str, Any], *, now: datetime) -> None:
    """Worker handler: apply a request's signals in order."""
    service = session.get(Service, payload["service_id"])
    if service is None:
        return
    for raw in payload["signals"]:
        apply_signal(session, service, Signal(**raw), now)
