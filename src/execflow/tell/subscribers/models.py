"""The subscribers table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from execflow.db import Base, UtcDateTime


class Subscriber(Base):
    """An address that asked for status mail; it counts once confirmed.

    `component_ids` empty means every component. The address is stored lower-cased and is
    unique; an unsubscribed address is deleted, not kept.
    """

    __tablename__ = "subscribers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    component_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
