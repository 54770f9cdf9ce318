"""Tables of incidents, their timeline and their public updates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from execflow.db import Base, IdType, UtcDateTime


class Incident(Base):
    """An incident and the facts its deadlines are computed from."""

    __tablename__ = "incidents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    severity: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16))
    service_id: Mapped[str | None] = mapped_column(ForeignKey("services.id"), nullable=True)
    component_ids: Mapped[list[Any]] = mapped_column(JSON)
    summary: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16), default="manual")
    dedup_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    commander_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    commander_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    first_update_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    postmortem_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    acknowledge_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    """When acknowledgement is due; a severity change moves it (None: from created_at)."""
    commander_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    """When a commander is due, while the severity asks for one (None: from created_at)."""
    escalation: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    recorded: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """Deadlines logged as met or breached (`state:name`); a logged outcome never changes."""
    imported: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index("ix_incidents_status", "status"),
        Index("ix_incidents_dedup", "service_id", "dedup_key"),
        Index("ix_incidents_created", "created_at", "id"),
    )


class TimelineEvent(Base):
    """One step of an incident, with the index of its audit log entry."""

    __tablename__ = "incident_timeline"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(64))
    actor_kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    audit_index: Mapped[int] = mapped_column(BigInteger)


class IncidentUpdate(Base):
    """A public update, as the status page shows it."""

    __tablename__ = "incident_updates"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    affected_components: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class IncidentNote(Base):
    """A private note; the log records that it was written, the text stays here."""

    __tablename__ = "incident_notes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
