"""Tables of monitors, their check results and the per-minute/hour/day rollups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from execflow.db import Base, IdType, UtcDateTime


class Monitor(Base):
    """What to check, how often, and the state the checks have led to."""

    __tablename__ = "monitors"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    interval_seconds: Mapped[float] = mapped_column(Float)
    timeout_seconds: Mapped[float] = mapped_column(Float)
    expect: Mapped[dict[str, Any]] = mapped_column(JSON)
    failures_before_down: Mapped[int] = mapped_column(Integer, default=2)
    successes_before_up: Mapped[int] = mapped_column(Integer, default=1)
    service_id: Mapped[str | None] = mapped_column(ForeignKey("services.id"), nullable=True)
    component_id: Mapped[str | None] = mapped_column(ForeignKey("components.id"), nullable=True)
    severity: Mapped[str] = mapped_column(String(2), default="P2")
    state: Mapped[str] = mapped_column(String(16), default="unknown")
    failures: Mapped[int] = mapped_column(Integer, default=0)
    successes: Mapped[int] = mapped_column(Integer, default=0)
    heartbeat_key: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    next_due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    incident_id: Mapped[str | None] = mapped_column(ForeignKey("incidents.id"), nullable=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    resolve_after_seconds: Mapped[float] = mapped_column(Float, default=300.0, server_default="300")
    """How long the monitor must stay up before its incident resolves (the hold-down)."""
    state_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    """When the monitor last went down or came back from down."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_monitors_due", "next_due_at"),
        Index("ix_monitors_name", "name", "id"),
    )


class CheckResult(Base):
    """One check: when, whether it passed, how long it took, what was seen."""

    __tablename__ = "monitor_results"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    monitor_id: Mapped[str] = mapped_column(ForeignKey("monitors.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    ok: Mapped[bool] = mapped_column(Boolean)
    latency_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    detail: Mapped[str] = mapped_column(String(500))

    __table_args__ = (Index("ix_monitor_results_monitor_at", "monitor_id", "at"),)


class Rollup(Base):
    """Counts per monitor per minute, hour and day: checks, failures and latency."""

    __tablename__ = "monitor_rollups"

    monitor_id: Mapped[str] = mapped_column(ForeignKey("monitors.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    start: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    checks: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    maintenance: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Failed checks inside a maintenance window: not counted as failures."""
    latency_ms_sum: Mapped[float] = mapped_column(Float, default=0.0)
    latency_ms_max: Mapped[float] = mapped_column(Float, default=0.0)
