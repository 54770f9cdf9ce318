"""/api/v1/incidents and the actions on one incident."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from execflow.access.models import ApiToken
from execflow.access.roles import Role
from execflow.access.service import token_ref
from execflow.errors import Conflict
from execflow.group_commit import Unit
from execflow.respond.incidents import actions, service
from execflow.respond.incidents.models import Incident
from execflow.respond.incidents.schemas import (
    CommanderIn,
    IncidentCreate,
    IncidentPatch,
    IncidentRead,
    NoteIn,
    ResolveIn,
    SeverityIn,
    UpdateIn,
)
from execflow.respond.paging.service import pages_of
from execflow.web.deps import ListWindow, Now, Responder, State, Viewer, link_next
from execflow.web.state import AppState
from execflow.web.write_front import WriteEndpoint

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])


def _out(state: AppState, incident_id: str) -> IncidentRead:
    with state.db.read() as session:
        incident = service.get_incident(session, incident_id)
        return service.read(session, incident, now=state.clock.now())


@router.get("", response_model=list[IncidentRead])
def list_incidents(
    *,
    state: State,
    _token: Viewer,
    window: ListWindow,
    request: Request,
    response: Response,
    now: Now,
    status: Literal["triggered", "acknowledged", "resolved"] | None = None,
) -> list[IncidentRead]:
    """Incidents, newest first."""
    with state.db.read() as session:
        page = service.list_incidents(session, window=window, status=status)
        link_next(request, response, page.next_cursor)
        return [service.read(session, i, now=now) for i in page.items]


def _create(body: IncidentCreate, token: ApiToken, now: datetime) -> Unit[IncidentRead]:
    def unit(session: Session) -> IncidentRead:
        incident = service.create_incident(
            session, data=body, actor=token_ref(token), now=now, may_import=_admin(token)
        )
        return service.read(session, incident, now=now)

    return unit


CREATE = WriteEndpoint("/api/v1/incidents", Role.RESPONDER, IncidentCreate, 201, _create)
"""Answered by the write front; the route below describes it and takes what the front leaves."""


@router.post("", status_code=201, response_model=IncidentRead)
async def create_incident(body: IncidentCreate, state: State, token: Responder) -> IncidentRead:
    """Open an incident; admins may import a past one with started_at/resolved_at."""
    return await CREATE.answer(state, body, token)


@router.get("/{incident_id}", response_model=IncidentRead)
def get_incident(incident_id: str, state: State, _token: Viewer) -> IncidentRead:
    """One incident with deadlines, timeline and audit indexes."""
    return _out(state, incident_id)


@router.patch("/{incident_id}", response_model=IncidentRead)
def patch_incident(
    incident_id: str, body: IncidentPatch, state: State, token: Responder
) -> IncidentRead:
    """Change the title, summary or components."""
    with state.writes.write() as session:
        actions.patch(
            session,
            incident_id=incident_id,
            data=body,
            actor=token_ref(token),
            now=state.clock.now(),
        )
    return _out(state, incident_id)


@router.delete("/{incident_id}", status_code=204)
def delete_incident(incident_id: str, state: State, _token: Responder) -> None:
    """Incidents are never deleted: the audit trail keeps them."""
    with state.db.read() as session:
        service.get_incident(session, incident_id)
    raise Conflict("incidents are kept for the audit trail; resolve it instead")


def _admin(token: ApiToken) -> bool:
    return Role(token.role).allows(Role.ADMIN)


@router.post("/{incident_id}/acknowledge", response_model=IncidentRead)
def acknowledge(incident_id: str, state: State, token: Responder, now: Now) -> IncidentRead:
    """Acknowledge: the escalation stops."""
    with state.writes.write() as session:
        incident = actions.acknowledge(
            session, incident_id=incident_id, actor=token_ref(token), now=now
        )
        return service.read(session, incident, now=now)


@router.post("/{incident_id}/commander", response_model=IncidentRead)
def commander(
    incident_id: str, body: CommanderIn, state: State, token: Responder, now: Now
) -> IncidentRead:
    """Name the Incident Commander."""
    with state.writes.write() as session:
        incident = actions.set_commander(
            session,
            incident_id=incident_id,
            person_id=body.person_id,
            actor=token_ref(token),
            now=now,
        )
        return service.read(session, incident, now=now)


@router.post("/{incident_id}/updates", response_model=IncidentRead)
def update(
    incident_id: str, body: UpdateIn, state: State, token: Responder, now: Now
) -> IncidentRead:
    """Publish a public update."""
    with state.writes.write() as session:
        actions.add_update(
            session, incident_id=incident_id, data=body, actor=token_ref(token), now=now
        )
        return service.read(session, service.get_incident(session, incident_id), now=now)


@router.post("/{incident_id}/notes", response_model=IncidentRead)
def note(incident_id: str, body: NoteIn, state: State, token: Responder, now: Now) -> IncidentRead:
    """Add a private note."""
    with state.writes.write() as session:
        incident = actions.add_note(
            session, incident_id=incident_id, body=body.body, actor=token_ref(token), now=now
        )
        return service.read(session, incident, now=now)


@router.post("/{incident_id}/severity", response_model=IncidentRead)
def severity(
    incident_id: str, body: SeverityIn, state: State, token: Responder, now: Now
) -> IncidentRead:
    """Change the severity."""
    with state.writes.write() as session:
        incident = actions.set_severity(
            session,
            incident_id=incident_id,
            severity=body.severity,
            actor=token_ref(token),
            now=now,
        )
        return service.read(session, incident, now=now)


@router.post("/{incident_id}/resolve", response_model=IncidentRead)
def resolve(
    incident_id: str, state: State, token: Responder, now: Now, body: ResolveIn | None = None
) -> IncidentRead:
    """Resolve (admins may give resolved_at, for corrections and imports)."""
    with state.writes.write() as session:
        incident = actions.resolve(
            session,
            incident_id=incident_id,
            actor=token_ref(token),
            now=now,
            resolved_at=body.resolved_at if body else None,
            may_backdate=_admin(token),
        )
        return service.read(session, incident, now=now)


@router.get("/{incident_id}/pages")
def pages(
    incident_id: str,
    state: State,
    _token: Viewer,
    window: ListWindow,
    request: Request,
    response: Response,
) -> list[dict[str, object]]:
    """The pages sent (or queued) for the incident, oldest first."""
    with state.db.read() as session:
        found: Incident = service.get_incident(session, incident_id)
        page = pages_of(session, found.id, window)
        link_next(request, response, page.next_cursor)
        return [
            {
                "id": p.id,
                "person_id": p.person_id,
                "channel": p.channel,
                "reason": p.reason,
                "cycle": p.cycle,
                "step": p.step,
                "status": p.status,
                "created_at": p.created_at,
                "sent_at": p.sent_at,
                "attempts": p.attempts,
            }
            for p in page.items
        ]
