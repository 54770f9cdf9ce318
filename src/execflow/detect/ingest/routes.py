"""Alert intake routes: Alertmanager/Grafana webhooks and the PagerDuty Events API v2.

`front.IntakeFront` answers these paths ahead of the framework; the routes declare them
for the OpenAPI description and answer through the same `Intake` when called directly.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from execflow.detect.ingest.intake import Intake, Reply

router = APIRouter(tags=["ingest"])


def _intake(request: Request) -> Intake:
    intake: Intake = request.app.state.intake
    return intake


def _json(reply: Reply) -> JSONResponse:
    return JSONResponse(reply.body, status_code=reply.status, headers=reply.headers or None)


@router.post("/api/v1/integrations/{key}/alertmanager", status_code=202)
async def alertmanager(key: str, request: Request) -> JSONResponse:
    """Prometheus Alertmanager webhook v4, or a Grafana alerting webhook."""
    return _json(await _intake(request).alertmanager(key, await request.body()))


@router.post("/v2/enqueue", status_code=202)
async def pagerduty(request: Request) -> JSONResponse:
    """PagerDuty Events API v2: trigger, acknowledge and resolve by dedup_key."""
    return _json(await _intake(request).pagerduty(await request.body()))


@router.post("/v2/change/enqueue", status_code=202)
async def change_event(request: Request) -> JSONResponse:
    """PagerDuty change events: accepted and acknowledged; not turned into incidents."""
    return _json(_intake(request).change_event(await request.body()))
