"""/api/v1/maintenances: scheduled maintenance windows (responders schedule them)."""

from __future__ import annotations

from fastapi import APIRouter

from execflow.access.roles import Role
from execflow.respond.maintenance import service
from execflow.respond.maintenance.models import Maintenance
from execflow.respond.maintenance.schemas import (
    MaintenanceCreate,
    MaintenanceRead,
    MaintenanceUpdate,
)
from execflow.web.resources import Resource, crud_router

WINDOWS = Resource(
    path="/api/v1/maintenances",
    what="maintenance",
    model=Maintenance,
    create_body=MaintenanceCreate,
    update_body=MaintenanceUpdate,
    read_body=MaintenanceRead,
    listing=service.list_windows,
    create=service.create,
    update=service.update,
    delete=service.delete,
    id_keyword="window_id",
    shape=lambda seen, row: service.read(row, seen.now),
    write_role=Role.RESPONDER,
)
"""Each window is read with its status now: scheduled, in_progress or completed."""

router: APIRouter = crud_router(WINDOWS, tags=["maintenance"])
