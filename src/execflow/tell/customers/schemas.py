"""Request and response bodies of /api/v1/customers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from execflow.addresses import Address
from execflow.ids import RowId


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CustomerCreate(_In):
    """POST /api/v1/customers."""

    name: str = Field(min_length=1, max_length=200)
    component_ids: list[RowId] = Field(default_factory=list, max_length=500)
    contacts: list[Address] = Field(default_factory=list, max_length=100)


class CustomerUpdate(_In):
    """PATCH /api/v1/customers/{id}."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    component_ids: list[RowId] | None = Field(default=None, max_length=500)
    contacts: list[Address] | None = Field(default=None, max_length=100)


class CustomerRead(BaseModel):
    """A customer; `contacts` is null for viewers, who see only `contacts_count`."""

    id: str
    name: str
    component_ids: list[str]
    contacts: list[str] | None
    contacts_count: int
    created_at: datetime
    updated_at: datetime
