"""/oncall: who is on call now and next for every schedule and escalation policy, each
schedule's next two weeks, "my shifts", and an override in two clicks."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from sqlalchemy import select
from starlette.responses import RedirectResponse, Response

from execflow.access.roles import Role
from execflow.clock import parse_rfc3339
from execflow.console.auth import Signed, checked, require_role
from execflow.console.sessions import Principal
from execflow.console.view import render
from execflow.errors import ExecFlowError, InvalidInput
from execflow.respond.catalog.models import Person
from execflow.respond.escalation.models import EscalationPolicy
from execflow.respond.oncall.models import Schedule
from execflow.respond.oncall.schemas import OverrideIn, ScheduleUpdate
from execflow.respond.oncall.service import rota, schedule_calendar, update_schedule
from execflow.web.deps import State
from execflow.web.state import AppState

router = APIRouter(include_in_schema=False)
AHEAD = timedelta(days=14)


def _zone_text(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%a %d %b %H:%M %Z")


def _schedules(state: AppState, me: Principal) -> dict[str, Any]:
    now = state.clock.now()
    with state.db.read() as session:
        people = {p.id: p for p in session.execute(select(Person)).scalars()}
        schedules = list(session.execute(select(Schedule).order_by(Schedule.name)).scalars())
        policies = list(
            session.execute(select(EscalationPolicy).order_by(EscalationPolicy.name)).scalars()
        )
    shown: list[dict[str, Any]] = []
    mine: list[tuple[Schedule, dict[str, Any]]] = []
    for schedule in schedules:
        plan = rota(schedule)
        current = plan.on_call(now)
        shifts = plan.shifts(now, now + AHEAD)
        upcoming = [s for s in shifts if s.start > now]
        rows: list[dict[str, Any]] = [
            {
                "shift": s,
                "local": f"{_zone_text(s.start, schedule.timezone)} to "
                f"{_zone_text(s.end, schedule.timezone)}",
            }
            for s in shifts
        ]
        shown.append(
            {
                "schedule": schedule,
                "now": current.person_id if current else None,
                "source": current.source if current else None,
                "next": upcoming[0] if upcoming else None,
                "rows": rows,
            }
        )
        if me.kind == "person":
            mine += [(schedule, r) for r in rows if r["shift"].person_id == me.id]
    by_id = {s.id: s for s in schedules}
    return {
        "schedules": shown,
        "policies": [{"policy": p, "steps": _paged_now(p, by_id, now)} for p in policies],
        "people": people,
        "mine": mine,
        "now": now,
    }


def _paged_now(
    policy: EscalationPolicy, schedules: dict[str, Schedule], now: datetime
) -> list[dict[str, Any]]:
    """Each step's delay and whom it would page now (a schedule's target: who is on call)."""
    steps = []
    for step in policy.steps:
        people: list[str] = []
        for target in step["targets"]:
            if target["type"] == "person":
                people.append(target["id"])
            elif target["id"] in schedules:
                current = rota(schedules[target["id"]]).on_call(now)
                if current is not None:
                    people.append(current.person_id)
        steps.append({"delay": step["delay_minutes"], "people": list(dict.fromkeys(people))})
    return steps


@router.get("/oncall")
async def oncall_page(request: Request, state: State, me: Signed) -> Response:
    """On call now and next, two weeks of each schedule, my shifts."""
    found = await run_in_threadpool(_schedules, state, me)
    return render(request, me, "console/oncall.html", "On call", "oncall", **found)


def _override(state: AppState, schedule_id: str, form: Any, me: Principal) -> str:
    person = str(form.get("person_id") or (me.id if me.kind == "person" else ""))
    if not person:
        raise InvalidInput("choose who covers")
    start, end = parse_rfc3339(str(form.get("start"))), parse_rfc3339(str(form.get("end")))
    now = state.clock.now()
    with state.writes.write() as session:
        schedule = session.get(Schedule, schedule_id)
        if schedule is None:
            raise InvalidInput(f"no schedule {schedule_id}")
        kept = [OverrideIn.model_validate(o) for o in schedule.overrides]
        added = OverrideIn(start=start, end=end, person_id=person)
        update_schedule(
            session,
            schedule_id=schedule_id,
            data=ScheduleUpdate(overrides=[*kept, added]),
            actor=me.ref,
            now=now,
        )
    return "Override added."


@router.post("/oncall/{schedule_id}/override")
async def add_override(schedule_id: str, request: Request, state: State, me: Signed) -> Response:
    """Cover a shift (yourself, or whoever is chosen): an override on the schedule."""
    form = await request.form()
    checked(form, me)
    require_role(me, Role.RESPONDER)
    try:
        said = await run_in_threadpool(_override, state, schedule_id, form, me)
    except (ValueError, ValidationError, ExecFlowError) as exc:
        said = f"Not done: {getattr(exc, 'message', exc)}"
    return RedirectResponse("/oncall?" + urlencode({"flash": said}), status_code=303)


@router.get("/oncall/{schedule_id}.ics")
async def calendar(schedule_id: str, state: State, _me: Signed) -> Response:
    """A schedule's next four weeks as iCalendar, for the signed-in person to download."""

    def made() -> bytes:
        with state.db.read() as session:
            return schedule_calendar(
                session, schedule_id=schedule_id, now=state.clock.now(), days=28
            )

    body = await run_in_threadpool(made)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{schedule_id}.ics"'},
    )
