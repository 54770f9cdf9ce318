"""/api/v1/monitors, their results, and the heartbeat push URL."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from execflow.access.models import ApiToken
from execflow.access.roles import reveal
from execflow.access.service import token_ref
from execflow.detect.probes import monitors
from execflow.detect.probes.models import Monitor
from execflow.detect.probes.schemas import MonitorCreate, MonitorRead, MonitorUpdate, ResultRead
from execflow.web.deps import Admin, ListWindow, State, Viewer, link_next
from execflow.web.resources import Resource, crud_router
from execflow.web.state import AppState

MONITORS = Resource(
    path="/api/v1/monitors",
    what="monitor",
    model=Monitor,
    create_body=MonitorCreate,
    update_body=MonitorUpdate,
    read_body=MonitorRead,
    listing=monitors.list_monitors,
    create=monitors.create_monitor,
    update=monitors.update_monitor,
    delete=monitors.delete_monitor,
    id_keyword="monitor_id",
    shape=lambda seen, row: _read(seen.state, row, seen.token),
)
"""Push URLs are masked except for admins; deleting a monitor removes its results."""

router = APIRouter(tags=["monitors"])
heartbeats = APIRouter(tags=["monitors"])
"""The push URL: public (its key is the credential) and lenient about query strings."""


def _read(state: AppState, monitor: Monitor, token: ApiToken) -> MonitorRead:
    read = MonitorRead.model_validate(monitor, from_attributes=True)
    key = reveal(monitor.heartbeat_key, token.role)
    if key:
        read.push_url = f"{state.settings.base_url.rstrip('/')}/api/v1/heartbeats/{key}"
    return read


@router.post("/api/v1/monitors/{monitor_id}/rotate-key", response_model=MonitorRead)
def rotate_key(monitor_id: str, state: State, token: Admin) -> MonitorRead:
    """A new heartbeat push URL; the old one is refused from now on."""
    with state.writes.write() as session:
        monitor = monitors.rotate_heartbeat_key(
            session, monitor_id=monitor_id, actor=token_ref(token), now=state.clock.now()
        )
        return _read(state, monitor, token)


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


router.include_router(crud_router(MONITORS, tags=["monitors"]))
