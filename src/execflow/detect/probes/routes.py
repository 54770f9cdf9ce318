"""/api/v1/monitors, their results, and the heartbeat push URL."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from execflow.access.models import ApiToken
from execflow.access.roles import reveal
from execflow.access.service import token_ref
from execflow.detect.probes import monitors
from execflow.detect.probes.models import Monitor
from execflow.detect.probes.schemas import MonitorCreate, MonitorRead, MonitorUpdate, ResultRead
from execflow.records import get
from execflow.web.deps import Admin, ListWindow, State, Viewer, link_next
from execflow.web.state import AppState

router = APIRouter(tags=["monitors"])
heartbeats = APIRouter(tags=["monitors"])
"""The push URL: public (its key is the credential) and lenient about query strings."""


def _read(state: AppState, monitor: Monitor, token: ApiToken) -> MonitorRead:
    read = MonitorRead.model_validate(monitor, from_attributes=True)
    key = reveal(monitor.heartbeat_key, token.role)
    if key:
        read.push_url = f"{state.settings.base_url.rstrip('/')}/api/v1/heartbeats/{key}"
    return read


@router.get("/api/v1/monitors", response_model=list[MonitorRead])
def list_monitors(
    state: State, token: Viewer, window: ListWindow, request: Request, response: Response
) -> list[MonitorRead]:
    """Monitors by name; push URLs are masked except for admins."""
    with state.db.read() as session:
        page = monitors.list_monitors(session, window)
        link_next(request, response, page.next_cursor)
        return [_read(state, m, token) for m in page.items]


@router.post("/api/v1/monitors", status_code=201, response_model=MonitorRead)
def create_monitor(body: MonitorCreate, state: State, token: Admin) -> MonitorRead:
    """Add a monitor."""
    with state.writes.write() as session:
        monitor = monitors.create_monitor(
            session, data=body, actor=token_ref(token), now=state.clock.now()
        )
        return _read(state, monitor, token)


@router.get("/api/v1/monitors/{monitor_id}", response_model=MonitorRead)
def get_monitor(monitor_id: str, state: State, token: Viewer) -> MonitorRead:
    """One monitor."""
    with state.db.read() as session:
        return _read(state, get(session, Monitor, monitor_id, "monitor"), token)


@router.patch("/api/v1/monitors/{monitor_id}", response_model=MonitorRead)
def update_monitor(monitor_id: str, body: MonitorUpdate, state: State, token: Admin) -> MonitorRead:
    """Change a monitor."""
    with state.writes.write() as session:
        monitor = monitors.update_monitor(
            session, monitor_id=monitor_id, data=body, actor=token_ref(token), now=state.clock.now()
        )
        return _read(state, monitor, token)


@router.post("/api/v1/monitors/{monitor_id}/rotate-key", response_model=MonitorRead)
def rotate_key(monitor_id: str, state: State, token: Admin) -> MonitorRead:
    """A new heartbeat push URL; the old one is refused from now on."""
    with state.writes.write() as session:
        monitor = monitors.rotate_heartbeat_key(
            session, monitor_id=monitor_id, actor=token_ref(token), now=state.clock.now()
        )
        return _read(state, monitor, token)


@router.delete("/api/v1/monitors/{monitor_id}", status_code=204)
def delete_monitor(monitor_id: str, state: State, token: Admin) -> Response:
    """Remove a monitor and its results."""
    with state.writes.write() as session:
        monitors.delete_monitor(
            session, monitor_id=monitor_id, actor=token_ref(token), now=state.clock.now()
        )
    return Response(status_code=204)


@router.get("/api/v1/monitors/{monitor_id}/results", response_model=list[ResultRead])
def results(
    monitor_id: str,
    state: State,
    _token: Viewer,
    window: ListWindow,
    request: Request,
    response: Response,
) -> list[ResultRead]:
    """The latest results, newest first."""
    with state.db.read() as session:
        page = monitors.results_of(session, monitor_id=monitor_id, window=window)
        link_next(request, response, page.next_cursor)
        return [ResultRead.model_validate(r, from_attributes=True) for r in page.items]


@heartbeats.post("/api/v1/heartbeats/{key}", status_code=202)
def heartbeat(key: str, state: State) -> dict[str, str]:
    """A heartbeat push; a missed heartbeat is a failure."""
    with state.writes.write() as session:
        monitor = monitors.beat(session, key=key, now=state.clock.now())
        return {"status": "ok", "monitor_id": monitor.id}


@heartbeats.get("/api/v1/heartbeats/{key}", status_code=202)
def heartbeat_by_get(key: str, state: State) -> dict[str, str]:
    """The same push as a plain GET, so a cron line can be `curl URL`."""
    return heartbeat(key, state)


@heartbeats.head("/api/v1/heartbeats/{key}", status_code=202, include_in_schema=False)
def heartbeat_by_head(key: str, state: State) -> dict[str, str]:
    """The same push as a HEAD (some uptime tools ping that way)."""
    return heartbeat(key, state)
