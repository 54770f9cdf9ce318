"""Bodies of /api/v1/monitors."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from execflow.detect.probes.expect import problem as expect_problem
from execflow.ids import RowId
from execflow.respond.severity import Severity

Kind = Literal["http", "keyword", "tcp", "tls", "dns", "heartbeat"]


class MonitorCreate(BaseModel):
    """POST /api/v1/monitors."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    kind: Kind
    target: str | None = Field(default=None, max_length=2000)
    interval_seconds: float = Field(default=60, ge=1, le=86_400)
    timeout_seconds: float = Field(default=10, gt=0, le=120)
    expect: dict[str, Any] = Field(default_factory=dict)
    failures_before_down: int = Field(default=2, ge=1, le=100)
    successes_before_up: int = Field(default=1, ge=1, le=100)
    resolve_after_seconds: float = Field(default=300, ge=0, le=86_400)
    """The hold-down: how long the monitor stays up before its incident resolves."""
    service_id: RowId | None = None
    component_id: RowId | None = None
    severity: Severity = Severity.P2

    @model_validator(mode="after")
    def _target(self) -> MonitorCreate:
        if self.kind == "heartbeat":
            if self.target is not None:
                raise ValueError("a heartbeat monitor has no target: it is pushed to")
        elif not self.target:
            raise ValueError(f"a {self.kind} monitor needs a target")
        elif self.kind in ("http", "keyword") and not self.target.startswith(
            ("http://", "https://")
        ):
            raise ValueError("the target of an http or keyword monitor is an http(s) URL")
        elif self.kind in ("tcp", "tls") and not self.target.rpartition(":")[2].isdigit():
            raise ValueError("the target of a tcp or tls monitor is host:port")
        if self.timeout_seconds > self.interval_seconds:
            raise ValueError("timeout_seconds cannot exceed interval_seconds")
        wrong = expect_problem(self.kind, self.expect)
        if wrong is not None:
            raise ValueError(wrong)
        return self


class MonitorUpdate(BaseModel):
    """PATCH /api/v1/monitors/{id}: schedule and thresholds."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    interval_seconds: float | None = Field(default=None, ge=1, le=86_400)
    timeout_seconds: float | None = Field(default=None, gt=0, le=120)
    failures_before_down: int | None = Field(default=None, ge=1, le=100)
    resolve_after_seconds: float | None = Field(default=None, ge=0, le=86_400)
    severity: Severity | None = None
    paused: bool | None = None


class MonitorRead(BaseModel):
    """A monitor; heartbeat monitors show the URL to push to."""

    id: str
    name: str
    kind: Kind
    target: str | None
    interval_seconds: float
    timeout_seconds: float
    expect: dict[str, Any]
    failures_before_down: int
    successes_before_up: int
    resolve_after_seconds: float
    service_id: str | None
    component_id: str | None
    severity: Severity
    state: str
    paused: bool
    last_checked_at: datetime | None
    incident_id: str | None
    push_url: str | None = None


class ResultRead(BaseModel):
    """One check."""

    at: datetime
    ok: bool
    latency_ms: float | None
    detail: str
