"""Recording an incident step: one timeline event and one audit log entry, together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from execflow.prove.log.append import append, append_prepared, prepare
from execflow.prove.log.entry import Ref
from execflow.respond.incidents.events import IncidentEvent
from execflow.respond.incidents.models import Incident, TimelineEvent


def record(
    session: Session,
    incident: Incident,
    *,
    kind: IncidentEvent,
    actor: Ref,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> int:
    """Append `incident.<kind>` to the log and the incident's timeline; returns the index."""
    payload = data or {}
    index = append(
        session,
        type=kind.log_type,
        at=now,
        actor=actor,
        subject=Ref("incident", incident.id),
        data=payload,
    )
    session.add(
        TimelineEvent(
            incident_id=incident.id,
            at=now,
            kind=kind.value,
            actor_kind=actor.kind,
            actor_id=actor.id,
            data=payload,
            audit_index=index,
        )
    )
    incident.updated_at = now
    return index


@dataclass(frozen=True)
class Event:
    """One timeline event to record with record_many."""

    incident_id: str
    kind: IncidentEvent
    data: dict[str, Any]


def record_many(session: Session, events: Sequence[Event], *, actor: Ref, now: datetime) -> range:
    """Record many events with one log append and one multi-row INSERT; returns the indexes.

    The caller sets the incidents' updated_at (it usually updates them in bulk anyway).
    """
    if not events:
        return range(0)
    indexes = append_prepared(
        session,
        [
            prepare(
                type=e.kind.log_type,
                at=now,
                actor=actor,
                subject=Ref("incident", e.incident_id),
                data=e.data,
            )
            for e in events
        ],
    )
    session.flush()  # the incidents the events point at, when they are new
    session.connection().execute(
        insert(TimelineEvent),
        [
            {
                "incident_id": e.incident_id,
                "at": now,
                "kind": e.kind.value,
                "actor_kind": actor.kind,
                "actor_id": actor.id,
                "data": e.data,
                "audit_index": index,
            }
            for e, index in zip(events, indexes, strict=True)
        ],
    )
    return indexes
