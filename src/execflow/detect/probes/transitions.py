"""What a monitor's change of state does: log it, set the component, open or resolve.

Down opens an incident on the monitor's service (or joins its open one). Up puts the
component back to operational at once and holds the escalation, so nobody is paged about
a target that is back; the incident resolves once the monitor has stayed up for its
hold-down (`resolve_after_seconds`, default 5 minutes). A relapse within the hold-down
joins the same incident and resumes its escalation.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from execflow import outbox
from execflow.detect.probes.checks import Outcome
from execflow.detect.probes.jobs import SettleMonitor
from execflow.detect.probes.machine import DEGRADED, DOWN, UP
from execflow.detect.probes.models import Monitor
from execflow.prove.log.append import append
from execflow.prove.log.entry import Ref
from execflow.respond.catalog.service import set_component_status
from execflow.respond.incidents import actions, escalation
from execflow.respond.incidents.events import IncidentEvent
from execflow.respond.incidents.lifecycle import Status, is_open
from execflow.respond.incidents.models import Incident
from execflow.respond.incidents.public_updates import publish_recovery
from execflow.respond.incidents.schemas import IncidentCreate
from execflow.respond.incidents.service import create_incident
from execflow.respond.incidents.timeline import record
from execflow.respond.maintenance.jobs import WindowEnded
from execflow.respond.maintenance.models import Maintenance
from execflow.respond.maintenance.service import covers, overlapping
from execflow.respond.severity import Severity

COMPONENT_STATUS = {DOWN: "major_outage", DEGRADED: "degraded_performance", UP: "operational"}


def _open_incident(session: Session, monitor: Monitor) -> Incident | None:
    """The open incident this monitor opened or joined; a flapping monitor reuses it."""
    return session.execute(
        select(Incident)
        .where(Incident.dedup_key == f"monitor:{monitor.id}", Incident.status != Status.RESOLVED)
        .limit(1)
    ).scalar_one_or_none()


def apply_transition(
    session: Session,
    monitor: Monitor,
    before: str,
    after: str,
    outcome: Outcome,
    *,
    now: datetime,
    held: bool = False,
) -> None:
    """Log the transition; set the component; open an incident on down, resolve on up.

    `held`: the monitor's component is in a maintenance window, so the change is logged
    and nothing else happens; when the window ends, a monitor still down acts then.
    """
    actor = Ref("monitor", monitor.id)
    if DOWN in (before, after):
        monitor.state_changed_at = now
    data: dict[str, Any] = {"from": before, "to": after, "detail": outcome.detail[:200]}
    if held:
        data["maintenance"] = True
    append(
        session,
        type="monitor.state_changed",
        at=now,
        actor=actor,
        subject=Ref("monitor", monitor.id),
        data=data,
    )
    if not held:
        act_on_state(session, monitor, after, outcome.detail, now=now, before=before)


def act_on_state(
    session: Session,
    monitor: Monitor,
    after: str,
    detail: str,
    *,
    now: datetime,
    before: str | None = None,
) -> None:
    """Set the monitor's component from its state; open or join an incident when down."""
    actor = Ref("monitor", monitor.id)
    if monitor.component_id and after in COMPONENT_STATUS:
        set_component_status(
            session,
            component_id=monitor.component_id,
            status=COMPONENT_STATUS[after],
            actor=actor,
            now=now,
            reason=Ref("monitor", monitor.id),
        )
    if monitor.service_id is None:
        return
    incident = _open_incident(session, monitor)
    if after == DOWN:
        if incident is None:
            incident = create_incident(
                session,
                actor=actor,
                now=now,
                source="monitor",
                dedup_key=f"monitor:{monitor.id}",
                data=IncidentCreate(
                    title=f"{monitor.name} is down",
                    severity=Severity(monitor.severity),
                    service_id=monitor.service_id,
                    component_ids=[monitor.component_id] if monitor.component_id else [],
                    summary=detail[:500],
                ),
            )
        else:
            resumed = escalation.resume(session, incident, now=now)
            record(
                session,
                incident,
                kind=IncidentEvent.MONITOR_DOWN_AGAIN,
                actor=actor,
                now=now,
                data={"monitor_id": monitor.id, "escalation_resumed": resumed},
            )
        monitor.incident_id = incident.id
    elif before == DOWN and incident is not None and incident.source == "monitor":
        # Resolve only after the monitor has stayed up a while: a flapping target keeps
        # adding to one open incident instead of opening a new one each time. Until then
        # nobody is paged about a target that is back.
        held = escalation.pause(incident)
        hold = timedelta(seconds=monitor.resolve_after_seconds)
        record(
            session,
            incident,
            kind=IncidentEvent.MONITOR_RECOVERED,
            actor=actor,
            now=now,
            data={
                "monitor_id": monitor.id,
                "state": after,
                "escalation_held": held,
                "resolves_at": (now + hold).isoformat(),
            },
        )
        publish_recovery(session, incident, now=now)
        job = SettleMonitor(monitor.id, incident.id, up_at=now.isoformat())
        outbox.enqueue_many(session, [job.queued(now + hold)], now=now)


def settle(session: Session, job: SettleMonitor, now: datetime) -> None:
    """Timer handler: resolve the monitor's incident if it is still up."""
    monitor = session.get(Monitor, job.monitor_id)
    incident = session.get(Incident, job.incident_id, with_for_update=True)
    if (
        monitor is None
        or incident is None
        or monitor.state not in (UP, DEGRADED)
        or not is_open(incident.status)
        or incident.source != "monitor"
    ):
        return
    if job.up_at is not None and _went_down_since(monitor, datetime.fromisoformat(job.up_at)):
        return  # it relapsed during the hold-down; the later recovery has its own timer
    actions.resolve(session, incident_id=incident.id, actor=Ref("monitor", monitor.id), now=now)


def _went_down_since(monitor: Monitor, up_at: datetime) -> bool:
    """Whether the monitor went down (or down and back) after the recovery at up_at."""
    return monitor.state_changed_at is not None and monitor.state_changed_at > up_at


def after_maintenance(session: Session, job: WindowEnded, now: datetime) -> None:
    """Timer handler at a window's end (or cancellation): act on monitors still down."""
    window = session.get(Maintenance, job.maintenance_id)
    if window is not None:
        if window.ends_at.isoformat() != job.ends_at:
            return  # the window was moved; its new end has its own timer
        component_ids = list(window.component_ids)
    else:
        component_ids = list(job.component_ids)
    if not component_ids:
        return
    others = overlapping(session, now, now)
    down = session.execute(
        select(Monitor).where(
            Monitor.component_id.in_(component_ids), Monitor.state == DOWN, ~Monitor.paused
        )
    ).scalars()
    for monitor in down:
        # Skip monitors under another window, or already on an open incident (down
        # before the window began): only what the window held back acts now.
        if covers(others, monitor.component_id, now) or _open_incident(session, monitor):
            continue
        act_on_state(session, monitor, DOWN, "still down when maintenance ended", now=now)


HANDLERS = {
    SettleMonitor.KIND: outbox.each(SettleMonitor, settle),
    WindowEnded.KIND: outbox.each(WindowEnded, after_maintenance),
}
"""The monitors' jobs and their handlers (a window's end is the maintenance package's job)."""
