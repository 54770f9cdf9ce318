"""Request and response bodies of /api/v1/maintenances."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from execflow.ids import RowId


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class MaintenanceCreate(_In):
    """POST /api/v1/maintenances."""

    title: str = Field(min_length=1, max_length=500)
    body: str = Field(default="", max_length=10_000)
    component_ids: list[RowId] = Field(min_length=1, max_length=500)
    starts_at: AwareDatetime
    ends_at: AwareDatetime

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class MaintenanceUpdate(_In):
    """PATCH /api/v1/maintenances/{id}; the window is checked again after the change."""

    title: str | None = Field(default=None, min_length=1, max_length=500)
    body: str | None = Field(default=None, max_length=10_000)
    component_ids: list[RowId] | None = Field(default=None, min_length=1, max_length=500)
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None


class MaintenanceRead(BaseModel):
    """A window as the API shows it; status follows Statuspage's maintenance statuses."""

    id: str
    title: str
    body: str
    component_ids: list[str]
    starts_at: datetime
    ends_at: datetime
    status: str
    created_at: datetime
    updated_at: datetime
