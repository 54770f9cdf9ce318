"""The demo's customer side: public updates, a published post-mortem, uptime bars."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from execflow.demo.actor import DEMO_ACTOR
from execflow.detect.probes.models import Monitor, Rollup
from execflow.respond.incidents.models import Incident
from execflow.respond.incidents.public_updates import publish
from execflow.tell.customers import service as customers
from execflow.tell.customers.schemas import CustomerCreate
from execflow.tell.postmortems import service as postmortems
from execflow.tell.postmortems.models import Postmortem
from execflow.tell.postmortems.schemas import ActionItem, PostmortemIn


def load_tell(session: Session, now: datetime) -> int:
    """What customers see: the past P1's public updates and published post-mortem, 90 days
    of uptime bars for the monitored components, and a customer."""
    if session.execute(select(Postmortem.incident_id).limit(1)).first() is not None:
        return 0
    incident = session.execute(
        select(Incident).where(Incident.title == "Payments API returned 502s")
    ).scalar_one_or_none()
    if incident is None or incident.resolved_at is None:
        return 0
    start, end = incident.created_at, incident.resolved_at
    for minutes, status, body in (
        (6, "investigating", "Some card payments fail with an error. We are investigating."),
        (41, "identified", "A faulty deploy of the payments proxy; we are rolling it back."),
        (75, "monitoring", "The rollback is done and payments succeed again. Monitoring."),
    ):
        publish(
            session,
            incident,
            status=status,
            body=body,
            component_statuses={},
            actor=DEMO_ACTOR,
            now=start + timedelta(minutes=minutes),
        )
    publish(
        session,
        incident,
        status="resolved",
        body="Payments have worked normally for an hour.",
        component_statuses={},
        actor=DEMO_ACTOR,
        now=end,
    )
    postmortems.revise(
        session,
        incident_id=incident.id,
        actor=DEMO_ACTOR,
        now=end + timedelta(hours=20),
        data=PostmortemIn(
            summary="For 2 hours, about 8 % of card payments failed with HTTP 502.",
            impact="1,240 payments were declined; customers retried most of them.",
            root_cause="A payments proxy release lowered its upstream timeout from 30 s to 3 s.",
            contributing_factors=[
                "The canary did not exercise the slow card networks",
                "The 502 alert fired on rate, not on share of payments",
            ],
            action_items=[
                ActionItem(title="Canary traffic through every card network", due=None),
                ActionItem(title="Alert on the share of failed payments", due=None),
            ],
        ),
    )
    postmortems.publish(
        session, incident_id=incident.id, actor=DEMO_ACTOR, now=end + timedelta(hours=22)
    )
    customer = customers.create(
        session,
        actor=DEMO_ACTOR,
        now=now,
        data=CustomerCreate(
            name="Northwind Traders",
            component_ids=list(incident.component_ids),
            contacts=["ops@northwind.demo.execflow.invalid"],
        ),
    )
    return 6 + _bars(session, now, incident) + (1 if customer else 0)


def _bars(session: Session, now: datetime, incident: Incident) -> int:
    """Ninety days of day rollups for each demo monitor: mostly up, the P1's day partly down,
    a slow day, a maintenance night."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    incident_day = incident.created_at.replace(hour=0, minute=0, second=0, microsecond=0)
    rows = []
    for monitor in session.execute(select(Monitor)).scalars():
        per_day = max(1, int(86_400 / monitor.interval_seconds))
        for back in range(1, 90):
            day = today - timedelta(days=back)
            failures = 0
            if day == incident_day:
                failures = per_day // 12
            elif back == 23:
                failures = 2
            held = max(1, per_day // 24) if back == 41 else 0
            rows.append(
                {
                    "monitor_id": monitor.id,
                    "period": "day",
                    "start": day,
                    "checks": per_day,
                    "failures": failures,
                    "maintenance": held,
                    "latency_ms_sum": per_day * 95.0,
                    "latency_ms_max": 850.0,
                }
            )
    if rows:
        session.execute(insert(Rollup), rows)
    return len(rows)
