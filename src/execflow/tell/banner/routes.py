"""GET /api/v1/banner (public, CORS for the configured origins) and /banner.js."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import FileResponse, Response

from execflow.tell.banner.service import banner
from execflow.web.deps import State
from execflow.web.pages import STATIC
from execflow.web.state import AppState

router = APIRouter(tags=["banner"])
FRESH_SECONDS = 1.0
"""Every customer's every open tab polls this; it is read once a second at most."""


class _Memo:
    def __init__(self) -> None:
        self.at = float("-inf")
        self.body = b""
        self.etag = ""


def _memo(request: Request) -> _Memo:
    memo: _Memo | None = getattr(request.app.state, "banner_memo", None)
    if memo is None:
        memo = _Memo()
        request.app.state.banner_memo = memo
    return memo


def _read(state: AppState) -> dict[str, Any]:
    with state.db.read() as session:
        return banner(session)


def _cors(request: Request, state: AppState) -> dict[str, str]:
    origin = request.headers.get("origin", "").rstrip("/")
    headers = {"Vary": "Origin"}
    if origin and origin in state.settings.banner_origin_list:
        headers |= {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Expose-Headers": "ETag",
            "Access-Control-Max-Age": "600",
        }
    return headers


@router.get("/api/v1/banner")
async def get_banner(request: Request, state: State) -> Response:
    """`{"active", "severity", "message", "incident_id", "updated_at"}`, with an ETag."""
    memo = _memo(request)
    moment = state.clock.now().timestamp()
    if not 0 <= moment - memo.at < FRESH_SECONDS:
        body = json.dumps(await run_in_threadpool(_read, state), separators=(",", ":")).encode()
        memo.body, memo.at = body, moment
        memo.etag = '"' + hashlib.sha256(body).hexdigest()[:24] + '"'
    headers = {**_cors(request, state), "ETag": memo.etag, "Cache-Control": "no-cache"}
    if memo.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(memo.body, media_type="application/json", headers=headers)


@router.options("/api/v1/banner", include_in_schema=False)
async def banner_preflight(request: Request, state: State) -> Response:
    """CORS preflight for the configured origins."""
    headers = _cors(request, state)
    if "Access-Control-Allow-Origin" in headers:
        headers |= {
            "Access-Control-Allow-Methods": "GET",
            "Access-Control-Allow-Headers": "If-None-Match",
        }
    return Response(status_code=204, headers=headers)


@router.get("/banner.js", include_in_schema=False)
async def banner_script() -> Response:
    """The script a customer's web app includes with one tag."""
    return FileResponse(
        STATIC / "banner.js",
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=300"},
    )
