"""Recording an incident step: one timeline event and one audit log entry, together."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from execflow.prove.log.append import append
from execflow.prove.log.entry import Ref
from execflow.respond.incidents.models import Incident, TimelineEvent


def record(
    session: Session,
    incident: Incident,
    *,
    kind: str,
    actor: Ref,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> int:
    """Append `incident.<kind>` to the log and the incident's timeline; returns the index."""
    payload = data or {}
    index = append(
        session,
        type=f"incident.{kind}",
        at=now,
        actor=actor,
        subject=Ref("incident", incident.id),
        data=payload,
    )
    session.add(
        TimelineEvent(
            incident_id=incident.id,
            at=now,
            kind=kind,
            actor_kind=actor.kind,
            actor_id=actor.id,
            data=payload,
            audit_index=index,
        )
    )
    incident.updated_at = now
    return index
