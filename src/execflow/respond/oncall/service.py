"""Schedules: stored as validated JSON, read as a Rota to answer who is on call."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from execflow.errors import InvalidInput
from execflow.ids import new_id
from execflow.keyset import Slice, Window, fetch
from execflow.prove.log.entry import Ref
from execflow.records import Change, Configured, get, log_change, remove, require_ids
from execflow.respond.catalog.models import Person
from execflow.respond.catalog.people import people_names
from execflow.respond.oncall.calendar import to_ics
from execflow.respond.oncall.models import Schedule
from execflow.respond.oncall.rotation import (
    Layer,
    OnCall,
    Override,
    Restriction,
    Rota,
    Shift,
    parse_duration,
    weekday_numbers,
)
from execflow.respond.oncall.schemas import LayerIn, OverrideIn, ScheduleCreate, ScheduleUpdate


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """Naive local wall-clock time: aware moments are converted, naive ones taken as local."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(zone).replace(tzinfo=None)


def _utc(moment: datetime, zone: ZoneInfo) -> datetime:
    """An aware UTC moment: naive ones are read as local time in zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _layers(layers: list[LayerIn], zone: ZoneInfo) -> list[dict[str, Any]]:
    return [
        {
            "start": _local(layer.start, zone).isoformat(),
            "rotation": layer.rotation,
            "members": layer.members,
            "restrictions": [r.model_dump() for r in layer.restrictions],
        }
        for layer in layers
    ]


def _overrides(overrides: list[OverrideIn], zone: ZoneInfo) -> list[dict[str, Any]]:
    spans = sorted(
        ((_utc(o.start, zone), _utc(o.end, zone), o.person_id) for o in overrides),
        key=lambda span: span[0],
    )
    for (_, end, _), (start, _, _) in itertools.pairwise(spans):
        if start < end:
            raise InvalidInput(
                "overrides overlap: one starts before the previous one ends",
                details=[{"field": "overrides"}],
            )
    return [{"start": s.isoformat(), "end": e.isoformat(), "person_id": p} for s, e, p in spans]


def _people(layers: list[dict[str, Any]], overrides: list[dict[str, Any]]) -> set[str]:
    ids = {member for layer in layers for member in layer["members"]}
    return ids | {o["person_id"] for o in overrides}


def rota(schedule: Schedule) -> Rota:
    """The schedule as rotation logic sees it."""
    return Rota(
        zone=ZoneInfo(schedule.timezone),
        layers=tuple(
            Layer(
                start=datetime.fromisoformat(layer["start"]),
                rotation=parse_duration(layer["rotation"]),
                members=tuple(layer["members"]),
                restrictions=tuple(
                    Restriction(
                        weekday_numbers(r["days"]),
                        time.fromisoformat(r["start"]),
                        time.fromisoformat(r["end"]),
                    )
                    for r in layer["restrictions"]
                ),
            )
            for layer in schedule.layers
        ),
        overrides=tuple(
            Override(
                datetime.fromisoformat(o["start"]), datetime.fromisoformat(o["end"]), o["person_id"]
            )
            for o in schedule.overrides
        ),
    )


def list_schedules(session: Session, window: Window) -> Slice[Schedule]:
    """Schedules by name, a page at a time."""
    return fetch(session, select(Schedule), [Schedule.name, Schedule.id], window)


def create_schedule(
    session: Session, *, data: ScheduleCreate, actor: Ref, now: datetime
) -> Schedule:
    """Add a schedule; unknown people and overlapping overrides are refused."""
    zone = ZoneInfo(data.timezone)
    layers, overrides = _layers(data.layers, zone), _overrides(data.overrides, zone)
    require_ids(session, Person, _people(layers, overrides), "person")
    schedule = Schedule(
        id=new_id("sch"),
        name=data.name,
        timezone=data.timezone,
        layers=layers,
        overrides=overrides,
        created_at=now,
        updated_at=now,
    )
    session.add(schedule)
    session.flush()
    log_change(
        session,
        kind=Configured.SCHEDULE,
        verb=Change.CREATED,
        subject_id=schedule.id,
        actor=actor,
        now=now,
    )
    return schedule


def update_schedule(
    session: Session, *, schedule_id: str, data: ScheduleUpdate, actor: Ref, now: datetime
) -> Schedule:
    """Change a schedule; layers and overrides are replaced whole when given."""
    schedule: Schedule = get(session, Schedule, schedule_id, "schedule")
    zone = ZoneInfo(data.timezone or schedule.timezone)
    if data.name is not None:
        schedule.name = data.name
    if data.timezone is not None:
        schedule.timezone = data.timezone
    if data.layers is not None:
        schedule.layers = _layers(data.layers, zone)
    if data.overrides is not None:
        schedule.overrides = _overrides(data.overrides, zone)
    require_ids(session, Person, _people(schedule.layers, schedule.overrides), "person")
    schedule.updated_at = now
    log_change(
        session,
        kind=Configured.SCHEDULE,
        verb=Change.UPDATED,
        subject_id=schedule.id,
        actor=actor,
        now=now,
        data={"fields": sorted(data.model_fields_set)},
    )
    return schedule


def delete_schedule(session: Session, *, schedule_id: str, actor: Ref, now: datetime) -> None:
    """Remove a schedule."""
    remove(session, get(session, Schedule, schedule_id, "schedule"), f"schedule {schedule_id}")
    log_change(
        session,
        kind=Configured.SCHEDULE,
        verb=Change.DELETED,
        subject_id=schedule_id,
        actor=actor,
        now=now,
    )


def on_call(session: Session, *, schedule_id: str, at: datetime) -> OnCall | None:
    """Who the schedule has on call at a moment."""
    schedule: Schedule = get(session, Schedule, schedule_id, "schedule")
    return rota(schedule).on_call(at)


def shifts(session: Session, *, schedule_id: str, start: datetime, end: datetime) -> list[Shift]:
    """The schedule's shifts between two moments."""
    schedule: Schedule = get(session, Schedule, schedule_id, "schedule")
    return rota(schedule).shifts(start, end)


def schedules_naming(session: Session, person_id: str) -> list[str]:
    """Ids of schedules that put person_id on call."""
    schedules = session.execute(select(Schedule).order_by(Schedule.id)).scalars()
    return [s.id for s in schedules if person_id in _people(s.layers, s.overrides)]


def schedule_calendar(session: Session, *, schedule_id: str, now: datetime, days: int) -> bytes:
    """The schedule's shifts for the next `days` days as iCalendar bytes."""
    schedule: Schedule = get(session, Schedule, schedule_id, "schedule")
    shifts = rota(schedule).shifts(now, now + timedelta(days=days))
    return to_ics(
        schedule_id=schedule.id,
        name=schedule.name,
        shifts=shifts,
        names=people_names(session),
        now=now,
    )
