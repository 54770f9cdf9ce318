"""The incidents list (the console's home page), one incident, and what responders do to it.

Every action is a POST form with the session's CSRF token; it calls the same service as
the API, in the same group commit, with the signed-in person (or token) as the actor, and
redirects back with what happened. Roles are those of the API: viewers read, responders
act, admins may also import and backdate.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from sqlalchemy import or_, select
from starlette.responses import RedirectResponse, Response

from execflow.access.roles import Role
from execflow.console.actions import ACTIONS, Doing
from execflow.console.auth import Signed, checked, field, require_role
from execflow.console.sessions import Principal
from execflow.console.view import not_found, render
from execflow.errors import ExecFlowError, InvalidInput, NotFound
from execflow.keyset import Window, fetch
from execflow.respond.catalog.models import Component, Person, Service
from execflow.respond.incidents import deadlines as policy
from execflow.respond.incidents.deadline_timers import facts
from execflow.respond.incidents.lifecycle import Status
from execflow.respond.incidents.models import Incident
from execflow.respond.incidents.service import get_incident, read
from execflow.respond.paging.models import Page
from execflow.respond.severity import Severity
from execflow.tell.postmortems import service as postmortems
from execflow.web.deps import State
from execflow.web.state import AppState

router = APIRouter(include_in_schema=False)
OPEN_SHOWN = 200
RESOLVED_PAGE = 50
FILTERS = ("status", "severity", "service", "mine", "q")


def _filters(request: Request) -> dict[str, str]:
    return {k: v for k in FILTERS if (v := request.query_params.get(k, "").strip())}


def _query(chosen: dict[str, str], me: Principal) -> Any:
    query = select(Incident)
    if chosen.get("severity") in {s.value for s in Severity}:
        query = query.where(Incident.severity == chosen["severity"])
    if chosen.get("service"):
        query = query.where(Incident.service_id == chosen["service"])
    if chosen.get("q"):
        query = query.where(Incident.title.ilike(f"%{chosen['q'][:100]}%"))
    if chosen.get("mine") and me.kind == "person":
        paged = select(Page.incident_id).where(Page.person_id == me.id)
        query = query.where(or_(Incident.commander_id == me.id, Incident.id.in_(paged)))
    return query


def _row(incident: Incident, now: datetime) -> dict[str, Any]:
    due = policy.deadlines(facts(incident), now)
    return {"incident": incident, "deadlines": [d for d in due.values() if d.due_at is not None]}


def _list(state: AppState, chosen: dict[str, str], cursor: str | None, me: Principal) -> Any:
    now = state.clock.now()
    with state.db.read() as session:
        query = _query(chosen, me)
        status = chosen.get("status", "")
        open_rows: list[Incident] = []
        if status in ("", "open", Status.TRIGGERED, Status.ACKNOWLEDGED) and cursor is None:
            opened = query.where(Incident.status != Status.RESOLVED)
            if status in (Status.TRIGGERED, Status.ACKNOWLEDGED):
                opened = opened.where(Incident.status == status)
            ordered = opened.order_by(Incident.created_at.desc(), Incident.id.desc())
            open_rows = list(session.execute(ordered.limit(OPEN_SHOWN)).scalars())
        resolved = None
        if status in ("", Status.RESOLVED):
            done = query.where(Incident.status == Status.RESOLVED)
            resolved = fetch(
                session,
                done,
                [Incident.created_at, Incident.id],
                Window(RESOLVED_PAGE, cursor),
                descending=True,
            )
        services = list(session.execute(select(Service).order_by(Service.name)).scalars())
        return {
            "open": [_row(i, now) for i in open_rows],
            "resolved": [_row(i, now) for i in resolved.items] if resolved else [],
            "next_cursor": resolved.next_cursor if resolved else None,
            "services": services,
            "now": now,
        }


@router.get("/")
async def incidents_page(request: Request, state: State, me: Signed) -> Response:
    """Open incidents first, then the resolved ones, a page at a time; filters in the URL."""
    chosen = _filters(request)
    cursor = request.query_params.get("cursor") or None
    try:
        found = await run_in_threadpool(_list, state, chosen, cursor, me)
    except InvalidInput:
        found = await run_in_threadpool(_list, state, chosen, None, me)
    more = None
    if found["next_cursor"]:
        more = "/?" + urlencode({**chosen, "cursor": found["next_cursor"]})
    return render(
        request,
        me,
        "console/incidents.html",
        "Incidents",
        "incidents",
        **found,
        chosen=chosen,
        more=more,
        severities=[s.value for s in Severity],
    )


def _detail(state: AppState, incident_id: str) -> dict[str, Any]:
    now = state.clock.now()
    with state.db.read() as session:
        incident = get_incident(session, incident_id)
        shown = read(session, incident, now=now)
        pages = list(
            session.execute(
                select(Page).where(Page.incident_id == incident_id).order_by(Page.created_at)
            ).scalars()
        )
        people = {p.id: p for p in session.execute(select(Person)).scalars()}
        components = list(session.execute(select(Component).order_by(Component.name)).scalars())
        public = incident.severity in ("P1", "P2")
        postmortem = postmortems.read(session, incident_id) if public else None
        return {
            "incident": shown,
            "pages": pages,
            "people": people,
            "components": components,
            "postmortem": postmortem,
            "now": now,
        }


@router.get("/incidents/{incident_id}")
async def incident_page(incident_id: str, request: Request, state: State, me: Signed) -> Response:
    """One incident: deadlines, actions, pages sent, timeline with log indexes, post-mortem."""
    try:
        found = await run_in_threadpool(_detail, state, incident_id)
    except NotFound:
        return not_found(request, f"incident {incident_id}")
    return render(
        request,
        me,
        "console/incident.html",
        found["incident"].title,
        "incidents",
        **found,
        severities=[s.value for s in Severity],
        statuses=["investigating", "identified", "monitoring", "resolved"],
        component_statuses=[
            "operational",
            "degraded_performance",
            "partial_outage",
            "major_outage",
            "under_maintenance",
        ],
    )


def _run(state: AppState, verb: str, incident_id: str, form: Any, me: Principal) -> str:
    act = ACTIONS.get(verb)
    if act is None:
        raise InvalidInput(f"unknown action {verb}")
    with state.writes.write() as session:
        return act(Doing(session, incident_id, form, me, state.clock.now()))


@router.post("/incidents/{incident_id}/{verb}")
async def incident_action(
    incident_id: str, verb: str, request: Request, state: State, me: Signed
) -> Response:
    """Do one thing to an incident, then go back (to the list when asked from the list)."""
    form = await request.form()
    checked(form, me)
    require_role(me, Role.RESPONDER)
    back = field(form, "back")
    local = back.startswith("/") and not back.startswith("//")
    target = back if local else f"/incidents/{incident_id}"
    try:
        said = await run_in_threadpool(_run, state, verb, incident_id, form, me)
    except ValidationError as exc:
        said = "Not done: " + "; ".join(str(e["msg"]) for e in exc.errors())
    except ExecFlowError as exc:
        said = f"Not done: {exc.message}"
    sep = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{sep}{urlencode({'flash': said})}", status_code=303)
