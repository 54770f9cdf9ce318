"""Tables of the catalog."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from execflow.db import Base, UtcDateTime


class ComponentGroup(Base):
    """A named group of components, made on first use."""

    __tablename__ = "component_groups"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Component(Base):
    """Something customers use, with a Statuspage component status."""

    __tablename__ = "components"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(32), default="operational")
    group_id: Mapped[str | None] = mapped_column(ForeignKey("component_groups.id"), nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Person(Base):
    """Someone who can be paged."""

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    timezone: Mapped[str] = mapped_column(String(64))
    webhook_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    webhook_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """`whsec_...`: signs this person's webhook pages (Standard Webhooks)."""
    role: Mapped[str | None] = mapped_column(String(16), nullable=True)
    """Console role (viewer, responder, admin); None: cannot sign in to the console."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Service(Base):
    """A thing that breaks: it has an escalation policy, components and an integration key."""

    __tablename__ = "services"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    escalation_policy_id: Mapped[str | None] = mapped_column(
        ForeignKey("escalation_policies.id"), nullable=True
    )
    component_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    integration_key: Mapped[str] = mapped_column(String(32), unique=True)
    default_severity: Mapped[str] = mapped_column(String(2), default="P3")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
