"""Metric points for anomaly detection: each series streams through its own detector, and an
alert opens (or joins) an incident on the service, like a failing probe.

Points older than the last one seen for the series are skipped: the detector is causal and
never goes back in time. The incident is titled by the series alone; every alert adds a
timeline entry with its value. It resolves once the series has been normal (every score
below the alert threshold) for RESOLVE_AFTER of its own time, counted by the points'
timestamps, so a replayed backlog resolves as it would have live; a series that stops
sending leaves its incident for a responder.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from execflow.detect.anomaly.detector import DEFAULTS, Settings, State, update
from execflow.detect.anomaly.models import MetricSeries
from execflow.detect.ingest import service as ingest
from execflow.detect.ingest.seen import Seen
from execflow.detect.ingest.signals import Signal
from execflow.errors import InvalidInput
from execflow.ids import new_id
from execflow.prove.log.entry import Ref
from execflow.respond.catalog.models import Service
from execflow.respond.incidents.events import IncidentEvent
from execflow.respond.incidents.timeline import record

SETTING_NAMES = {f.name for f in fields(Settings)}
RESOLVE_AFTER = timedelta(minutes=30)


@dataclass(frozen=True)
class Pushed:
    """What one push did."""

    accepted: int
    skipped: int
    alerts: int


def detector_settings(raw: dict[str, Any]) -> Settings:
    """Per-series settings over the defaults; unknown names are refused."""
    unknown = sorted(set(raw) - SETTING_NAMES)
    if unknown:
        raise InvalidInput(f"unknown detector settings: {', '.join(unknown)}")
    try:
        return Settings(**{k: type(getattr(DEFAULTS, k))(v) for k, v in raw.items()})
    except (TypeError, ValueError, OverflowError) as exc:
        raise InvalidInput(f"bad detector setting: {exc}") from exc


def _signal(series: MetricSeries, action: str, details: str = "") -> Signal:
    key = f"anomaly:{series.name}"
    return Signal(
        action=action,
        dedup_key=key,
        group_key=key,
        source="anomaly",
        summary=f"Anomaly in {series.name}",
        severity=None,
        details=details,
    )


def _alert(
    session: Session,
    service: Service,
    series: MetricSeries,
    point: tuple[float, float],
    *,
    now: datetime,
) -> None:
    """Open or join the series' incident, and put this alert's value on its timeline."""
    timestamp, value = point
    at = datetime.fromtimestamp(timestamp, UTC).isoformat()
    seen = Seen()
    signal = _signal(series, "trigger", f"Series: {series.name}\nValue: {value:g} at {at}")
    ingest.apply_signal(session, service, signal, now, seen)
    series.last_alert_ts = timestamp
    alert = seen.alerts.get((service.id, signal.dedup_key))
    incident = seen.incident(session, alert.incident_id if alert is not None else None)
    if incident is not None:
        record(
            session,
            incident,
            kind=IncidentEvent.ANOMALY_DETECTED,
            actor=Ref("integration", service.id),
            now=now,
            data={"series_id": series.id, "value": value, "at": at},
        )


def push(
    session: Session,
    *,
    service: Service,
    name: str,
    points: list[tuple[float, float]],
    settings: dict[str, Any] | None,
    now: datetime,
) -> Pushed:
    """Run points through the series' detector; alerts become incident signals."""
    series = session.execute(
        select(MetricSeries)
        .where(MetricSeries.service_id == service.id, MetricSeries.name == name)
        .with_for_update()
    ).scalar_one_or_none()
    if series is None:
        series = MetricSeries(
            id=new_id("ser"),
            service_id=service.id,
            name=name,
            state=State().as_json(),
            settings={},
            points=0,
            alerts=0,
            updated_at=now,
        )
        session.add(series)
    if settings is not None:
        detector_settings(settings)
        series.settings = settings
    conf = detector_settings(series.settings)
    state = State.from_json(series.state)
    accepted = skipped = alerts = 0
    for timestamp, value in points:
        if series.last_ts is not None and timestamp <= series.last_ts:
            skipped += 1
            continue
        score, alert = update(state, value, conf, timestamp)
        series.last_ts = timestamp
        accepted += 1
        if alert:
            alerts += 1
            _alert(session, service, series, (timestamp, value), now=now)
        elif series.last_alert_ts is not None:
            if score >= conf.threshold:
                series.last_alert_ts = timestamp  # still abnormal: the hold-down restarts
            elif timestamp - series.last_alert_ts >= RESOLVE_AFTER.total_seconds():
                series.last_alert_ts = None
                ingest.apply_signal(session, service, _signal(series, "resolve"), now)
    series.state, series.points = state.as_json(), series.points + accepted
    series.alerts, series.updated_at = series.alerts + alerts, now
    return Pushed(accepted, skipped, alerts)
