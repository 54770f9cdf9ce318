"""Alert intake: Alertmanager/Grafana webhooks and the PagerDuty Events API v2, unchanged."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from execflow.detect.ingest.batcher import Batcher
from execflow.detect.ingest.keys import ServiceKeys
from execflow.detect.ingest.signals import parse_alertmanager, parse_pagerduty
from execflow.errors import InvalidInput, NotFound
from execflow.respond.catalog.models import Service
from execflow.web.state import AppState

router = APIRouter(tags=["ingest"])
MAX_BODY = 1_000_000


async def _json(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise InvalidInput("the body is larger than 1 MB")
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise InvalidInput("the request body is not valid JSON") from exc


async def _lookup(request: Request, key: str) -> Service | None:
    """The service for a key (cached for a few seconds)."""
    keys: ServiceKeys = request.app.state.service_keys
    return await keys.get(key)


def _admit(request: Request, key: str) -> bool:
    """Whether key's throttle lets one more event in.

    The intake routes read the app state directly rather than through a FastAPI
    dependency: they are the busiest paths, and resolving a dependency costs more than
    the lookup.
    """
    state: AppState = request.app.state.execflow
    return state.throttle.admit(key)


def _batcher(request: Request) -> Batcher:
    batcher: Batcher = request.app.state.ingest_batcher
    return batcher


@router.post("/api/v1/integrations/{key}/alertmanager", status_code=202)
async def alertmanager(key: str, request: Request) -> JSONResponse:
    """Prometheus Alertmanager webhook v4, or a Grafana alerting webhook."""
    body = await _json(request)
    service = await _lookup(request, key)
    if service is None:
        raise NotFound("no service has this integration key")
    if not _admit(request, key):
        return JSONResponse(
            {
                "error": {
                    "code": "too_many_requests",
                    "message": "alerts are arriving too quickly; retry later",
                    "details": [],
                }
            },
            status_code=429,
            headers={"Retry-After": "1"},
        )
    signals, errors = parse_alertmanager(body)
    if errors:
        raise InvalidInput("the alert payload is not valid", details=errors)
    await _batcher(request).accept(service, signals)
    return JSONResponse({"status": "accepted", "alerts": len(signals)}, status_code=202)


def _invalid(errors: list[str]) -> JSONResponse:
    return JSONResponse(
        {"status": "invalid event", "message": "Event object is invalid", "errors": errors},
        status_code=400,
    )


@router.post("/v2/enqueue", status_code=202)
async def pagerduty(request: Request) -> JSONResponse:
    """PagerDuty Events API v2: trigger, acknowledge and resolve by dedup_key."""
    try:
        body = await _json(request)
    except InvalidInput:
        return _invalid(["the body is not valid JSON"])
    key, signal, errors = parse_pagerduty(body)
    if errors or signal is None or key is None:
        return _invalid(errors)
    service = await _lookup(request, key)
    if service is None:
        return _invalid(["'routing_key' does not match any integration"])
    if not _admit(request, key):
        return JSONResponse(
            {
                "status": "throttle event",
                "message": "Requests for this service are arriving too quickly. "
                "Please retry later.",
            },
            status_code=429,
        )
    await _batcher(request).accept(service, [signal])
    return JSONResponse(
        {"status": "success", "message": "Event processed", "dedup_key": signal.dedup_key},
        status_code=202,
    )


@router.post("/v2/change/enqueue", status_code=202)
async def change_event(request: Request) -> JSONResponse:
    """PagerDuty change events: accepted and acknowledged; not turned into incidents."""
    body = await _json(request)
    if not isinstance(body, dict) or not isinstance(body.get("routing_key"), str):
        return _invalid(["'routing_key' is missing"])
    return JSONResponse({"status": "success", "message": "Change event processed"}, status_code=202)
