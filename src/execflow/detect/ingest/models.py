"""The alert table: one row per deduplicated alert, linked to the incident it joined."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from execflow.db import Base, UtcDateTime


class Alert(Base):
    """An alert from a monitoring tool, deduplicated by (service, dedup_key)."""

    __tablename__ = "alerts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"))
    source: Mapped[str] = mapped_column(String(32))
    dedup_key: Mapped[str] = mapped_column(String(255))
    group_key: Mapped[str] = mapped_column(String(255))
    incident_id: Mapped[str | None] = mapped_column(ForeignKey("incidents.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(2))
    summary: Mapped[str] = mapped_column(String(500))
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_alerts_dedup", "service_id", "dedup_key", unique=True),
        Index("ix_alerts_incident", "incident_id"),
    )
