"""The post-mortem tables: the current text and every revision's hash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from execflow.db import Base, IdType, UtcDateTime


class Postmortem(Base):
    """An incident's post-mortem: a draft until published."""

    __tablename__ = "postmortems"

    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    impact: Mapped[str] = mapped_column(Text, default="")
    root_cause: Mapped[str] = mapped_column(Text, default="")
    contributing_factors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    action_items: Mapped[list[Any]] = mapped_column(JSON, default=list)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    content_sha256: Mapped[str] = mapped_column(String(64), default="")
    audit_index: Mapped[int] = mapped_column(BigInteger, default=0)
    """The log entry of the current revision."""
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    published_revision: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PostmortemRevision(Base):
    """One saved revision: its content (canonical JSON), hash and log entry."""

    __tablename__ = "postmortem_revisions"

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    audit_index: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
