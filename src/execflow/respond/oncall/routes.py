"""/api/v1/schedules, who is on call, and the iCalendar export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from execflow.access.service import token_ref
from execflow.errors import InvalidInput
from execflow.records import get
from execflow.respond import references
from execflow.respond.catalog.service import people_names
from execflow.respond.oncall import service
from execflow.respond.oncall.calendar import to_ics
from execflow.respond.oncall.models import Schedule
from execflow.respond.oncall.schemas import (
    OnCallRead,
    ScheduleCreate,
    ScheduleRead,
    ScheduleUpdate,
)
from execflow.web.deps import Admin, ListWindow, State, Viewer, link_next

router = APIRouter(prefix="/api/v1/schedules", tags=["on-call"])


def _read(schedule: Schedule) -> ScheduleRead:
    return ScheduleRead.model_validate(schedule, from_attributes=True)


def _aware(value: datetime | None, default: datetime) -> datetime:
    if value is None:
        return default
    if value.tzinfo is None:
        raise InvalidInput("times need a time zone offset (RFC 3339)")
    return value.astimezone(UTC)


@router.get("", response_model=list[ScheduleRead])
def list_schedules(
    state: State, _token: Viewer, window: ListWindow, request: Request, response: Response
) -> list[ScheduleRead]:
    """Schedules by name."""
    with state.db.read() as session:
        page = service.list_schedules(session, window)
        link_next(request, response, page.next_cursor)
        return [_read(s) for s in page.items]


@router.post("", status_code=201, response_model=ScheduleRead)
def create_schedule(body: ScheduleCreate, state: State, token: Admin) -> ScheduleRead:
    """Add a schedule."""
    with state.writes.write() as session:
        return _read(
            service.create_schedule(
                session, data=body, actor=token_ref(token), now=state.clock.now()
            )
        )


@router.get("/{schedule_id}.ics", response_class=Response)
def schedule_ics(
    schedule_id: str,
    state: State,
    _token: Viewer,
    days: Annotated[int, Query(ge=1, le=366)] = 28,
) -> Response:
    """The schedule's shifts for the next `days` days as iCalendar."""
    now = state.clock.now()
    with state.db.read() as session:
        schedule: Schedule = get(session, Schedule, schedule_id, "schedule")
        shifts = service.rota(schedule).shifts(now, now + timedelta(days=days))
        names = people_names(session)
        body = to_ics(
            schedule_id=schedule.id, name=schedule.name, shifts=shifts, names=names, now=now
        )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{schedule_id}.ics"'},
    )


@router.get("/{schedule_id}/oncall", response_model=OnCallRead)
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


@router.get("/{schedule_id}", response_model=ScheduleRead)
def get_schedule(schedule_id: str, state: State, _token: Viewer) -> ScheduleRead:
    """One schedule."""
    with state.db.read() as session:
        return _read(get(session, Schedule, schedule_id, "schedule"))


@router.patch("/{schedule_id}", response_model=ScheduleRead)
def update_schedule(
    schedule_id: str, body: ScheduleUpdate, state: State, token: Admin
) -> ScheduleRead:
    """Change a schedule."""
    with state.writes.write() as session:
        return _read(
            service.update_schedule(
                session,
                schedule_id=schedule_id,
                data=body,
                actor=token_ref(token),
                now=state.clock.now(),
            )
        )


@router.delete("/{schedule_id}", status_code=204)
def delete_schedule(schedule_id: str, state: State, token: Admin) -> Response:
    """Remove a schedule no policy names."""
    with state.writes.write() as session:
        references.delete_schedule(
            session, schedule_id=schedule_id, actor=token_ref(token), now=state.clock.now()
        )
    return Response(status_code=204)
