"""POST /api/v1/metrics/{key}: metric points for anomaly detection (the key is the credential)."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, field_validator

from execflow.detect.anomaly import service
from execflow.errors import NotFound
from execflow.respond.catalog.service import service_by_key
from execflow.web.deps import State

router = APIRouter(tags=["metrics"])


class MetricsIn(BaseModel):
    """`{"series": name, "points": [[unix_seconds, value], ...]}`, optional detector settings."""

    model_config = ConfigDict(extra="forbid")

    series: str = Field(min_length=1, max_length=200)
    points: list[tuple[float, float]] = Field(min_length=1, max_length=10_000)
    settings: dict[str, Any] | None = None

    @field_validator("points")
    @classmethod
    def _finite(cls, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        if not all(math.isfinite(t) and math.isfinite(v) for t, v in points):
            raise ValueError("timestamps and values must be finite numbers")
        return sorted(points)


@router.post("/api/v1/metrics/{key}", status_code=202)
def push_metrics(key: str, body: MetricsIn, state: State) -> dict[str, int]:
    """Stream points through the series' detector; an alert opens an incident."""
    with state.writes.write() as session:
        owner = service_by_key(session, key)
        if owner is None:
            raise NotFound("no service has this integration key")
        pushed = service.push(
            session,
            service=owner,
            name=body.series,
            points=body.points,
            settings=body.settings,
            now=state.clock.now(),
        )
    return {"accepted": pushed.accepted, "skipped": pushed.skipped, "alerts": pushed.alerts}
