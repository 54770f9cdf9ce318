"""/api/v1/maintenances: scheduled maintenance windows (responders schedule them)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from execflow.access.service import token_ref
from execflow.records import get
from execflow.respond.maintenance import service
from execflow.respond.maintenance.models import Maintenance
from execflow.respond.maintenance.schemas import (
    MaintenanceCreate,
    MaintenanceRead,
    MaintenanceUpdate,
)
from execflow.web.deps import ListWindow, Responder, State, Viewer, link_next

router = APIRouter(prefix="/api/v1/maintenances", tags=["maintenance"])


@router.get("", response_model=list[MaintenanceRead])
def list_maintenances(
    state: State, _token: Viewer, window: ListWindow, request: Request, response: Response
) -> list[MaintenanceRead]:
    """Windows, latest start first, each with its status now."""
    now = state.clock.now()
    with state.db.read() as session:
        page = service.list_windows(session, window)
        link_next(request, response, page.next_cursor)
        return [service.read(w, now) for w in page.items]


@router.post("", status_code=201, response_model=MaintenanceRead)
def create_maintenance(body: MaintenanceCreate, state: State, token: Responder) -> MaintenanceRead:
    """Schedule a window."""
    now = state.clock.now()
    with state.writes.write() as session:
        window = service.create(session, data=body, actor=token_ref(token), now=now)
        return service.read(window, now)


@router.get("/{maintenance_id}", response_model=MaintenanceRead)
def get_maintenance(maintenance_id: str, state: State, _token: Viewer) -> MaintenanceRead:
    """One window."""
    with state.db.read() as session:
        window = get(session, Maintenance, maintenance_id, "maintenance")
        return service.read(window, state.clock.now())


@router.patch("/{maintenance_id}", response_model=MaintenanceRead)
def update_maintenance(
    maintenance_id: str, body: MaintenanceUpdate, state: State, token: Responder
) -> MaintenanceRead:
    """Change a window."""
    now = state.clock.now()
    with state.writes.write() as session:
        window = service.update(
            session, window_id=maintenance_id, data=body, actor=token_ref(token), now=now
        )
        return service.read(window, now)


@router.delete("/{maintenance_id}", status_code=204)
def delete_maintenance(maintenance_id: str, state: State, token: Responder) -> Response:
    """Cancel a window."""
    with state.writes.write() as session:
        service.delete(
            session, window_id=maintenance_id, actor=token_ref(token), now=state.clock.now()
        )
    return Response(status_code=204)
