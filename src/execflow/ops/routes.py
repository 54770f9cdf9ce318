"""/healthz, /readyz and /metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from execflow.web.deps import State

router = APIRouter(tags=["ops"])


@router.get("/healthz")
@router.post("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up (POST too: some load balancers check with POST)."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(state: State) -> Response:
    """The database answers and the log has a signed checkpoint."""
    checks: dict[str, str] = {}
    try:
        with state.db.read() as session:
            session.execute(text("SELECT 1"))
            signed = session.execute(text("SELECT checkpoint FROM log_tree WHERE id = 1")).scalar()
        checks["database"] = "ok"
        checks["checkpoint"] = "ok" if signed else "pending"
    except Exception as exc:  # readiness must report, not raise
        checks["database"] = f"error: {type(exc).__name__}"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)


@router.get("/metrics")
def metrics(state: State) -> Response:
    """Prometheus text exposition."""
    return Response(generate_latest(state.registry), media_type=CONTENT_TYPE_LATEST)
