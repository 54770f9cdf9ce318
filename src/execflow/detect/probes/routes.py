"""/api/v1/monitors, their results, and the heartbeat push URL."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import select

from execflow.access.service import token_ref
from execflow.detect.probes import service
from execflow.detect.probes.models import CheckResult, Monitor
from execflow.detect.probes.schemas import MonitorCreate, MonitorRead, MonitorUpdate, ResultRead
from execflow.respond.records import get
from execflow.web.deps import Admin, State, Viewer
from execflow.web.state import AppState

router = APIRouter(tags=["monitors"])


def _read(state: AppState, monitor: Monitor) -> MonitorRead:
    read = MonitorRead.model_validate(monitor, from_attributes=True)
    if monitor.heartbeat_key:
        base = state.settings.base_url.rstrip("/")
        read.push_url = f"{base}/api/v1/heartbeats/{monitor.heartbeat_key}"
    return read


@router.get("/api/v1/monitors", response_model=list[MonitorRead])
def list_monitors(state: State, _token: Viewer) -> list[MonitorRead]:
    """Every monitor."""
    with state.db.read() as session:
        rows = session.execute(select(Monitor).order_by(Monitor.name)).scalars()
        return [_read(state, m) for m in rows]


@router.post("/api/v1/monitors", status_code=201, response_model=MonitorRead)
def create_monitor(body: MonitorCreate, state: State, token: Admin) -> MonitorRead:
    """Add a monitor."""
    with state.db.write() as session:
        return _read(
            state,
            service.create_monitor(
                session, data=body, actor=token_ref(token), now=state.clock.now()
            ),
        )


@router.get("/api/v1/monitors/{monitor_id}", response_model=MonitorRead)
def get_monitor(monitor_id: str, state: State, _token: Viewer) -> MonitorRead:
    """One monitor."""
    with state.db.read() as session:
        return _read(state, get(session, Monitor, monitor_id, "monitor"))


@router.patch("/api/v1/monitors/{monitor_id}", response_model=MonitorRead)
def update_monitor(monitor_id: str, body: MonitorUpdate, state: State, token: Admin) -> MonitorRead:
    """Change a monitor."""
    with state.db.write() as session:
        return _read(
            state,
            service.update_monitor(
                session,
                monitor_id=monitor_id,
                data=body,
                actor=token_ref(token),
                now=state.clock.now(),
            ),
        )


@router.delete("/api/v1/monitors/{monitor_id}", status_code=204)
def delete_monitor(monitor_id: str, state: State, token: Admin) -> Response:
    """Remove a monitor and its results."""
    with state.db.write() as session:
        service.delete_monitor(
            session, monitor_id=monitor_id, actor=token_ref(token), now=state.clock.now()
        )
    return Response(status_code=204)


@router.get("/api/v1/monitors/{monitor_id}/results", response_model=list[ResultRead])
def results(
    monitor_id: str, state: State, _token: Viewer, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[ResultRead]:
    """The latest results, newest first."""
    with state.db.read() as session:
        get(session, Monitor, monitor_id, "monitor")
        rows = session.execute(
            select(CheckResult)
            .where(CheckResult.monitor_id == monitor_id)
            .order_by(CheckResult.at.desc())
            .limit(limit)
        ).scalars()
        return [ResultRead.model_validate(r, from_attributes=True) for r in rows]


@router.post("/api/v1/heartbeats/{key}", status_code=202)
def heartbeat(key: str, state: State) -> dict[str, str]:
    """A heartbeat push; a missed heartbeat is a failure."""
    with state.db.write() as session:
        monitor = service.beat(session, key=key, now=state.clock.now())
        return {"status": "ok", "monitor_id": monitor.id}
