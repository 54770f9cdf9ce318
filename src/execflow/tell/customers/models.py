"""The customers table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from execflow.db import Base, UtcDateTime


class Customer(Base):
    """A customer: the components they use and their contacts (personal data)."""

    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    component_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    contacts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    muted: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """Contacts who unsubscribed, by `contact_ref` (customer id and address digest)."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
