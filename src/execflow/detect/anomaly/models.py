"""The metric series table: each series keeps its detector's state between pushes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from execflow.db import Base, UtcDateTime


class MetricSeries(Base):
    """A named series on a service, with its detector state and settings."""

    __tablename__ = "metric_series"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"))
    name: Mapped[str] = mapped_column(String(200))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    last_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_alert_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    """The timestamp of the point that last alerted; the hold-down runs from it."""
    points: Mapped[int] = mapped_column(Integer, default=0)
    alerts: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_metric_series_name", "service_id", "name", unique=True),)
