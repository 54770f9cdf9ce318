"""/api/v1/schedules, who is on call, and the iCalendar export."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from execflow.errors import InvalidInput
from execflow.respond import references
from execflow.respond.oncall import service
from execflow.respond.oncall.models import Schedule
from execflow.respond.oncall.schemas import (
    OnCallRead,
    ScheduleCreate,
    ScheduleRead,
    ScheduleUpdate,
)
from execflow.web.deps import State, Viewer
from execflow.web.resources import Resource, crud_router

router = APIRouter(tags=["on-call"])


def _read(schedule: Schedule) -> ScheduleRead:
    return ScheduleRead.model_validate(schedule, from_attributes=True)


def _aware(value: datetime | None, default: datetime) -> datetime:
    if value is None:
        return default
    if value.tzinfo is None:
        raise InvalidInput("times need a time zone offset (RFC 3339)")
    return value.astimezone(UTC)


@router.get("/api/v1/schedules/{schedule_id}.ics", response_class=Response)
def schedule_ics(
    schedule_id: str,
    state: State,
    _token: Viewer,
    days: Annotated[int, Query(ge=1, le=366)] = 28,
) -> Response:
    """The schedule's shifts for the next `days` days as iCalendar."""
    with state.db.read() as session:
        body = service.schedule_calendar(
            session, schedule_id=schedule_id, now=state.clock.now(), days=days
        )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{schedule_id}.ics"'},
    )


@router.get("/api/v1/schedules/{schedule_id}/oncall", response_model=OnCallRead)
def oncall(schedule_id: str, state: State, _token: Viewer, at: datetime | None = None) -> Any:
    """Who is on call at `at` (default: now)."""
    moment = _aware(at, state.clock.now())
    with state.db.read() as session:
        who = service.on_call(session, schedule_id=schedule_id, at=moment)
    return OnCallRead(
        schedule_id=schedule_id,
        at=moment,
        person_id=who.person_id if who else None,
        source=who.source if who else None,
        layer=who.layer if who else None,
    )


SCHEDULES = Resource(
    path="/api/v1/schedules",
    what="schedule",
    model=Schedule,
    create_body=ScheduleCreate,
    update_body=ScheduleUpdate,
    read_body=ScheduleRead,
    listing=service.list_schedules,
    create=service.create_schedule,
    update=service.update_schedule,
    delete=references.delete_schedule,
    id_keyword="schedule_id",
    shape=lambda _seen, row: _read(row),
)
# After the .ics and /oncall reads: "/{schedule_id}" would match "x.ics" too.
router.include_router(crud_router(SCHEDULES, tags=["on-call"]))
