"""/monitors (searched and paged on the server: fast at 10,000 monitors), /monitors/{id}
(results, transitions, a 24-hour response-time chart, 90 days of bars), creating, pausing
and resuming monitors, and maintenance windows."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from sqlalchemy import func, select
from starlette.responses import RedirectResponse, Response

from execflow.access.roles import Role
from execflow.clock import parse_rfc3339
from execflow.console.auth import Signed, checked, field, require_role
from execflow.console.sessions import Principal
from execflow.console.view import not_found, render
from execflow.detect.probes import monitors as probes
from execflow.detect.probes.models import CheckResult, Monitor, Rollup
from execflow.detect.probes.schemas import MonitorCreate, MonitorUpdate
from execflow.errors import ExecFlowError, InvalidInput, NotFound
from execflow.keyset import Window, fetch
from execflow.prove.log.entry import decode_entry
from execflow.prove.log.models import LogEntry
from execflow.respond.catalog.models import Component
from execflow.respond.maintenance import service as maintenance
from execflow.respond.maintenance.models import Maintenance
from execflow.respond.maintenance.schemas import MaintenanceCreate
from execflow.tell.statuspage.uptime import uptime_of_monitor
from execflow.web.deps import State
from execflow.web.state import AppState

router = APIRouter(include_in_schema=False)
PAGE = 50
CHART_BUCKET = timedelta(minutes=10)


def _list(state: AppState, q: str, cursor: str | None) -> dict[str, Any]:
    with state.db.read() as session:
        query = select(Monitor)
        if q:
            query = query.where(Monitor.name.ilike(f"%{q[:100]}%"))
        page = fetch(session, query, [Monitor.name, Monitor.id], Window(PAGE, cursor))
        counts = dict(
            session.execute(select(Monitor.state, func.count()).group_by(Monitor.state)).all()
        )
        windows = list(
            session.execute(
                select(Maintenance)
                .where(Maintenance.ends_at > state.clock.now())
                .order_by(Maintenance.starts_at)
                .limit(20)
            ).scalars()
        )
        components = list(session.execute(select(Component).order_by(Component.name)).scalars())
    return {
        "monitors": page.items,
        "next_cursor": page.next_cursor,
        "counts": counts,
        "windows": windows,
        "components": components,
    }


@router.get("/monitors")
async def monitors_page(request: Request, state: State, me: Signed) -> Response:
    """Monitors by name, 50 a page, searched by name; maintenance windows."""
    q = request.query_params.get("q", "").strip()
    cursor = request.query_params.get("cursor") or None
    try:
        found = await run_in_threadpool(_list, state, q, cursor)
    except InvalidInput:
        found = await run_in_threadpool(_list, state, q, None)
    more = (
        "/monitors?" + urlencode({"q": q, "cursor": found["next_cursor"]})
        if found["next_cursor"]
        else None
    )
    return render(
        request,
        me,
        "console/monitors.html",
        "Monitors",
        "monitors",
        **found,
        q=q,
        more=more,
        kinds=["http", "keyword", "tcp", "tls", "dns", "heartbeat"],
    )


def _chart(points: list[tuple[float, float]], width: int = 600, height: int = 120) -> str:
    """An SVG polyline's points for (seconds into the day, average ms) pairs."""
    if not points:
        return ""
    top = max(ms for _, ms in points) or 1.0
    span = 86_400.0
    return " ".join(
        f"{round(x / span * width, 1)},{round(height - ms / top * (height - 4), 1)}"
        for x, ms in points
    )


def _detail(state: AppState, monitor_id: str) -> dict[str, Any]:
    now = state.clock.now()
    with state.db.read() as session:
        monitor = session.get(Monitor, monitor_id)
        if monitor is None:
            raise NotFound(f"no monitor {monitor_id}")
        results = list(
            session.execute(
                select(CheckResult)
                .where(CheckResult.monitor_id == monitor_id)
                .order_by(CheckResult.at.desc())
                .limit(50)
            ).scalars()
        )
        since = now - timedelta(hours=24)
        minutes = session.execute(
            select(Rollup.start, Rollup.checks, Rollup.latency_ms_sum)
            .where(
                Rollup.monitor_id == monitor_id, Rollup.period == "minute", Rollup.start >= since
            )
            .order_by(Rollup.start)
        ).all()
        buckets: dict[int, list[float]] = {}
        for start, checks, total in minutes:
            slot = int((start - since) / CHART_BUCKET)
            bucket = buckets.setdefault(slot, [0.0, 0.0])
            bucket[0] += checks
            bucket[1] += total
        points = [
            (slot * CHART_BUCKET.total_seconds(), total / checks)
            for slot, (checks, total) in sorted(buckets.items())
            if checks
        ]
        logged = list(
            session.execute(
                select(LogEntry.idx, LogEntry.data)
                .where(
                    LogEntry.subject_kind == "monitor",
                    LogEntry.subject_id == monitor_id,
                    LogEntry.type == "monitor.state_changed",
                )
                .order_by(LogEntry.idx.desc())
                .limit(20)
            ).all()
        )
        transitions = [(idx, decode_entry(data)) for idx, data in logged]
        uptime = uptime_of_monitor(session, monitor_id, now)
    return {
        "monitor": monitor,
        "results": results,
        "chart": _chart(points),
        "chart_max": round(max((ms for _, ms in points), default=0.0)),
        "transitions": transitions,
        "uptime": uptime,
    }


@router.get("/monitors/{monitor_id}")
async def monitor_page(monitor_id: str, request: Request, state: State, me: Signed) -> Response:
    """One monitor: its results, transitions, 24 h chart and 90-day bars."""
    try:
        found = await run_in_threadpool(_detail, state, monitor_id)
    except NotFound:
        return not_found(request, f"monitor {monitor_id}")
    return render(request, me, "console/monitor.html", found["monitor"].name, "monitors", **found)


def _change(state: AppState, what: str, form: Any, me: Principal) -> tuple[str, str]:
    now = state.clock.now()
    with state.writes.write() as session:
        if what == "create":
            data = MonitorCreate(
                name=field(form, "name"),
                kind=field(form, "kind"),
                target=field(form, "target") or None,
                interval_seconds=float(field(form, "interval_seconds") or 60),
                component_id=field(form, "component_id") or None,
            )
            made = probes.create_monitor(session, data=data, actor=me.ref, now=now)
            return f"/monitors/{made.id}", "Monitor created."
        if what in ("pause", "resume"):
            monitor_id = field(form, "monitor_id")
            probes.update_monitor(
                session,
                monitor_id=monitor_id,
                data=MonitorUpdate(paused=what == "pause"),
                actor=me.ref,
                now=now,
            )
            return f"/monitors/{monitor_id}", "Paused." if what == "pause" else "Resumed."
        if what == "edit":
            monitor_id = field(form, "monitor_id")
            changes = MonitorUpdate(
                name=field(form, "name") or None,
                interval_seconds=float(field(form, "interval_seconds") or 0) or None,
                failures_before_down=int(field(form, "failures_before_down") or 0) or None,
            )
            probes.update_monitor(
                session, monitor_id=monitor_id, data=changes, actor=me.ref, now=now
            )
            return f"/monitors/{monitor_id}", "Monitor saved."
        if what == "maintenance":
            window = MaintenanceCreate(
                title=field(form, "title"),
                body=field(form, "body"),
                component_ids=[c for c in form.getlist("component_ids") if isinstance(c, str)],
                starts_at=parse_rfc3339(field(form, "starts_at")),
                ends_at=parse_rfc3339(field(form, "ends_at")),
            )
            maintenance.create(session, data=window, actor=me.ref, now=now)
            return "/monitors", "Maintenance window scheduled."
    raise InvalidInput(f"unknown change {what}")


@router.post("/monitors/do/{what}")
async def monitors_change(what: str, request: Request, state: State, me: Signed) -> Response:
    """Create, edit, pause or resume a monitor (admins); schedule maintenance (responders)."""
    form = await request.form()
    checked(form, me)
    require_role(me, Role.RESPONDER if what == "maintenance" else Role.ADMIN)
    target = "/monitors"
    try:
        target, said = await run_in_threadpool(_change, state, what, form, me)
    except (ValueError, ValidationError, ExecFlowError) as exc:
        said = f"Not done: {getattr(exc, 'message', exc)}"
    return RedirectResponse(f"{target}?{urlencode({'flash': said})}", status_code=303)
