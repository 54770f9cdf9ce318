"""/status.html, the Statuspage v2 JSON under /api/v2, the history feeds and the theme."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from execflow.tell.statuspage import feeds
from execflow.tell.statuspage.cache import Built, StatusCache
from execflow.tell.statuspage.view import StatusView
from execflow.web.deps import State
from execflow.web.pages import Pages, html_response

router = APIRouter(tags=["status page"])
v2 = APIRouter(prefix="/api/v2", tags=["status page"])
PUBLIC_CACHE = "public, max-age=1"


async def _built(request: Request) -> Built:
    cache: StatusCache = request.app.state.status_cache
    fresh = cache.fresh()
    return fresh if fresh is not None else await run_in_threadpool(cache.get)


def _not_modified(request: Request, etag: str) -> bool:
    return etag in request.headers.get("if-none-match", "")


@router.get("/status.html", response_class=Response, include_in_schema=False)
async def status_page(request: Request) -> Response:
    """The status page."""
    built = await _built(request)
    headers = {"ETag": built.etag, "Cache-Control": PUBLIC_CACHE}
    if _not_modified(request, built.etag):
        return Response(status_code=304, headers=headers)
    return html_response(built.html, headers=headers)


@router.get("/theme.css", include_in_schema=False)
async def theme(request: Request) -> Response:
    """The page settings' colours."""
    pages: Pages = request.app.state.pages
    return Response(pages.theme(), media_type="text/css", headers={"Cache-Control": "max-age=60"})


def _json(body: dict[str, Any]) -> Response:
    data = json.dumps(body, separators=(",", ":")).encode()
    return Response(
        data,
        media_type="application/json",
        headers={"Cache-Control": PUBLIC_CACHE, "Access-Control-Allow-Origin": "*"},
    )


def _endpoint(path: str, shape: Callable[[StatusView], dict[str, Any]], doc: str) -> None:
    async def serve(request: Request) -> Response:
        return _json(shape((await _built(request)).view))

    serve.__doc__ = doc
    v2.add_api_route(path, serve, methods=["GET"], name=path, response_class=Response)


def _page(view: StatusView) -> dict[str, Any]:
    return {"page": view.page}


_endpoint(
    "/summary.json",
    lambda v: {
        **_page(v),
        "status": v.status,
        "components": v.components,
        "incidents": v.unresolved,
        "scheduled_maintenances": [*v.active, *v.upcoming],
    },
    "Page, status, components, unresolved incidents, upcoming and active maintenance.",
)
_endpoint("/status.json", lambda v: {**_page(v), "status": v.status}, "The overall status.")
_endpoint("/components.json", lambda v: {**_page(v), "components": v.components}, "Components.")
_endpoint(
    "/incidents.json", lambda v: {**_page(v), "incidents": v.incidents}, "The 50 latest incidents."
)
_endpoint(
    "/incidents/unresolved.json",
    lambda v: {**_page(v), "incidents": v.unresolved},
    "Unresolved incidents.",
)
_endpoint(
    "/scheduled-maintenances.json",
    lambda v: {**_page(v), "scheduled_maintenances": v.maintenances},
    "The 50 latest maintenance windows.",
)
_endpoint(
    "/scheduled-maintenances/upcoming.json",
    lambda v: {**_page(v), "scheduled_maintenances": v.upcoming},
    "Maintenance not yet started.",
)
_endpoint(
    "/scheduled-maintenances/active.json",
    lambda v: {**_page(v), "scheduled_maintenances": v.active},
    "Maintenance in progress.",
)


@router.get("/history.atom", include_in_schema=False)
async def history_atom(request: Request, state: State) -> Response:
    """The history as Atom."""
    view = (await _built(request)).view
    body = feeds.atom(view, state.settings.base_url.rstrip("/"))
    return Response(
        body, media_type="application/atom+xml", headers={"Cache-Control": PUBLIC_CACHE}
    )


@router.get("/history.rss", include_in_schema=False)
async def history_rss(request: Request, state: State) -> Response:
    """The history as RSS 2.0."""
    view = (await _built(request)).view
    body = feeds.rss(view, state.settings.base_url.rstrip("/"))
    return Response(body, media_type="application/rss+xml", headers={"Cache-Control": PUBLIC_CACHE})
