"""Post-mortems: revisions hashed and logged, publishing that meets the deadline, reminders.

A revision's content is the RFC 8785 canonical JSON of its fields; its SHA-256 goes into
the log entry of the revision (`postmortem.revised`) and of the publication, so anyone
holding the published text can hash it and find the same digest in the verifiable log.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from execflow.errors import Conflict, NotFound
from execflow.prove.log.append import append
from execflow.prove.log.entry import Ref, canonical_json
from execflow.records import require_ids
from execflow.respond.catalog.models import Person
from execflow.respond.incidents.deadline_timers import settle
from execflow.respond.incidents.lifecycle import is_open
from execflow.respond.incidents.models import Incident, IncidentUpdate, TimelineEvent
from execflow.respond.incidents.service import get_incident
from execflow.tell.events import TellEvent
from execflow.tell.postmortems.models import Postmortem, PostmortemRevision
from execflow.tell.postmortems.schemas import PostmortemIn, PostmortemRead, TimelineRow

_PUBLIC_STEPS = {
    "incident.triggered": "Incident opened",
    "incident.acknowledged": "Acknowledged by the on-call responder",
    "incident.commander_assigned": "Incident Commander named",
    "incident.severity_changed": "Severity changed",
    "incident.monitor_recovered": "Monitoring saw the service recover",
    "incident.resolved": "Resolved",
}


def content_of(data: PostmortemIn) -> bytes:
    """The canonical bytes a revision's hash is taken over."""
    return canonical_json(data.model_dump(mode="json"))


def _read_content(row: Postmortem | PostmortemRevision) -> PostmortemIn:
    if isinstance(row, PostmortemRevision):
        return PostmortemIn.model_validate(json.loads(row.content))
    return PostmortemIn(
        summary=row.summary,
        impact=row.impact,
        root_cause=row.root_cause,
        contributing_factors=list(row.contributing_factors),
        action_items=list(row.action_items),
    )


def timeline(session: Session, incident: Incident) -> list[TimelineRow]:
    """The incident's steps a reader of the post-mortem should see, with their log indexes."""
    rows = session.execute(
        select(TimelineEvent)
        .where(TimelineEvent.incident_id == incident.id)
        .order_by(TimelineEvent.id)
    ).scalars()
    updates = {
        u.id: u
        for u in session.execute(
            select(IncidentUpdate).where(IncidentUpdate.incident_id == incident.id)
        ).scalars()
    }
    found = []
    for event in rows:
        kind = f"incident.{event.kind}"
        if kind == "incident.update_published":
            update = updates.get(str(event.data.get("update_id")))
            if update is None:
                continue
            detail = f"Public update ({update.status}): {update.body}"
        elif kind == "incident.severity_changed":
            detail = f"Severity changed from {event.data.get('from')} to {event.data.get('to')}"
        elif kind in _PUBLIC_STEPS:
            detail = _PUBLIC_STEPS[kind]
        else:
            continue
        found.append(
            TimelineRow(at=event.at, kind=kind, detail=detail, audit_index=event.audit_index)
        )
    return found


def read(session: Session, incident_id: str, *, published_only: bool = False) -> PostmortemRead:
    """The post-mortem (an empty draft if none was written); published_only: 404 until then."""
    incident = get_incident(session, incident_id)
    row = session.get(Postmortem, incident_id)
    if published_only and (row is None or row.published_revision is None):
        raise NotFound(f"no published post-mortem for {incident_id}")
    shown: Postmortem | PostmortemRevision | None = row
    if published_only and row is not None:
        shown = session.execute(
            select(PostmortemRevision).where(
                PostmortemRevision.incident_id == incident_id,
                PostmortemRevision.revision == row.published_revision,
            )
        ).scalar_one()
    content = _read_content(shown) if shown is not None else PostmortemIn()
    return PostmortemRead(
        incident_id=incident_id,
        state="published" if row is not None and row.published_at is not None else "draft",
        **content.model_dump(),
        revision=shown.revision if shown is not None else 0,
        content_sha256=shown.content_sha256 if shown is not None else "",
        audit_index=shown.audit_index if shown is not None else None,
        published_at=row.published_at if row is not None else None,
        published_revision=row.published_revision if row is not None else None,
        timeline=timeline(session, incident),
    )


def revise(
    session: Session, *, incident_id: str, data: PostmortemIn, actor: Ref, now: datetime
) -> Postmortem:
    """Save a new revision: stored, hashed and logged."""
    get_incident(session, incident_id, lock=True)
    owners = [a.owner_id for a in data.action_items if a.owner_id]
    require_ids(session, Person, owners, "action_items.owner_id")
    row = session.get(Postmortem, incident_id)
    if row is None:
        row = Postmortem(incident_id=incident_id, revision=0, created_at=now)
        session.add(row)
    content = content_of(data)
    digest = hashlib.sha256(content).hexdigest()
    revision = row.revision + 1
    index = append(
        session,
        type=TellEvent.POSTMORTEM_REVISED,
        at=now,
        actor=actor,
        subject=Ref("incident", incident_id),
        data={"revision": revision, "sha256": digest, "bytes": len(content)},
    )
    fields: dict[str, Any] = data.model_dump(mode="json")
    for key, value in fields.items():
        setattr(row, key, value)
    row.revision, row.content_sha256, row.audit_index, row.updated_at = (
        revision,
        digest,
        index,
        now,
    )
    session.add(
        PostmortemRevision(
            incident_id=incident_id,
            revision=revision,
            content=content.decode(),
            content_sha256=digest,
            audit_index=index,
            created_at=now,
        )
    )
    session.flush()
    return row


def publish(session: Session, *, incident_id: str, actor: Ref, now: datetime) -> Postmortem:
    """Publish the latest revision: the public page shows it; the deadline is met."""
    incident = get_incident(session, incident_id, lock=True)
    if is_open(incident.status):
        raise Conflict(f"incident {incident_id} is not resolved yet")
    row = session.get(Postmortem, incident_id)
    if row is None or row.revision == 0:
        raise Conflict("write the post-mortem first (PUT .../postmortem)")
    if row.published_revision == row.revision:
        raise Conflict(f"revision {row.revision} is already published")
    first = row.published_at is None
    row.published_at = row.published_at or now
    row.published_revision = row.revision
    append(
        session,
        type=TellEvent.POSTMORTEM_PUBLISHED,
        at=now,
        actor=actor,
        subject=Ref("incident", incident_id),
        data={"revision": row.revision, "sha256": row.content_sha256, "first": first},
    )
    if incident.postmortem_at is None:
        incident.postmortem_at = now
        settle(session, incident, now=now)
    return row
