"""Bodies of /api/v1/incidents."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from execflow.ids import RowId
from execflow.respond.catalog.schemas import ComponentStatus
from execflow.respond.severity import Severity

UpdateStatus = Literal["investigating", "identified", "monitoring", "resolved"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IncidentCreate(_In):
    """POST /api/v1/incidents; started_at/resolved_at (admins) import a past incident."""

    title: str = Field(min_length=1, max_length=500)
    severity: Severity | None = None
    service_id: RowId | None = None
    component_ids: list[RowId] = Field(default_factory=list, max_length=200)
    summary: str = Field(default="", max_length=20_000)
    started_at: datetime | None = None
    resolved_at: datetime | None = None

    @model_validator(mode="after")
    def _times(self) -> IncidentCreate:
        for name in ("started_at", "resolved_at"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} needs a time zone offset (RFC 3339)")
        if self.resolved_at is not None:
            if self.started_at is None:
                raise ValueError("resolved_at needs started_at")
            if self.resolved_at < self.started_at:
                raise ValueError("resolved_at is before started_at")
        return self


class IncidentPatch(_In):
    """PATCH /api/v1/incidents/{id}: descriptive fields only; state changes have verbs."""

    title: str | None = Field(default=None, min_length=1, max_length=500)
    summary: str | None = Field(default=None, max_length=20_000)
    component_ids: list[RowId] | None = Field(default=None, max_length=200)


class CommanderIn(_In):
    """POST .../commander."""

    person_id: RowId


class NoteIn(_In):
    """POST .../notes: a private note on the timeline."""

    body: str = Field(min_length=1, max_length=20_000)


class UpdateIn(_In):
    """POST .../updates: a public update for the status page."""

    status: UpdateStatus
    body: str = Field(min_length=1, max_length=20_000)
    component_statuses: dict[str, ComponentStatus] = Field(default_factory=dict, max_length=200)


class SeverityIn(_In):
    """POST .../severity."""

    severity: Severity


class ResolveIn(_In):
    """POST .../resolve; resolved_at (admins) for imports and corrections."""

    resolved_at: datetime | None = None


class DeadlineRead(BaseModel):
    """One deadline."""

    due_at: datetime | None
    met_at: datetime | None
    state: Literal["pending", "met", "breached"]


class TimelineRead(BaseModel):
    """One timeline event."""

    at: datetime
    kind: str
    actor: dict[str, str]
    data: dict[str, Any]
    audit_index: int


class IncidentRead(BaseModel):
    """An incident with its deadlines, timeline and log entries."""

    id: str
    title: str
    severity: Severity
    status: Literal["triggered", "acknowledged", "resolved"]
    service_id: str | None
    component_ids: list[str]
    summary: str
    source: str
    commander_id: str | None
    created_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    deadlines: dict[str, DeadlineRead]
    timeline: list[TimelineRead]
    audit_indexes: list[int]
