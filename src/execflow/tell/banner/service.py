"""The banner: on while a P1 is open, with its latest public words."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from execflow.clock import rfc3339
from execflow.respond.incidents.lifecycle import Status
from execflow.respond.incidents.models import Incident, IncidentUpdate

QUIET: dict[str, Any] = {
    "active": False,
    "severity": None,
    "message": None,
    "incident_id": None,
    "updated_at": None,
}


def banner(session: Session) -> dict[str, Any]:
    """The banner JSON: the most recent open P1, or inactive."""
    incident = session.execute(
        select(Incident)
        .where(Incident.severity == "P1", Incident.status != Status.RESOLVED)
        .order_by(Incident.created_at.desc(), Incident.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if incident is None:
        return dict(QUIET)
    update = session.execute(
        select(IncidentUpdate)
        .where(IncidentUpdate.incident_id == incident.id)
        .order_by(IncidentUpdate.created_at.desc(), IncidentUpdate.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    message = update.body if update is not None else f"We are investigating: {incident.title}"
    latest = max(incident.updated_at, update.created_at) if update else incident.updated_at
    return {
        "active": True,
        "severity": incident.severity,
        "message": message,
        "incident_id": incident.id,
        "updated_at": rfc3339(latest),
    }
