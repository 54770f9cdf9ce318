"""Bodies of /api/v1/incidents/{id}/postmortem."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from execflow.ids import RowId


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ActionItem(_In):
    """Something to do so it does not happen again: who, by when."""

    title: str = Field(min_length=1, max_length=500)
    owner_id: RowId | None = None
    due: date | None = None


class PostmortemIn(_In):
    """PUT .../postmortem: the whole text (each PUT is a new, logged revision)."""

    summary: str = Field(default="", max_length=20_000)
    impact: str = Field(default="", max_length=20_000)
    root_cause: str = Field(default="", max_length=20_000)
    contributing_factors: list[str] = Field(default_factory=list, max_length=50)
    action_items: list[ActionItem] = Field(default_factory=list, max_length=100)


class TimelineRow(BaseModel):
    """A step of the incident, as the post-mortem shows it."""

    at: datetime
    kind: str
    detail: str
    audit_index: int


class PostmortemRead(BaseModel):
    """A post-mortem: its text, revision, the hash and log entry proving it, its state."""

    incident_id: str
    state: str
    """draft or published."""
    summary: str
    impact: str
    root_cause: str
    contributing_factors: list[str]
    action_items: list[ActionItem]
    revision: int
    content_sha256: str
    audit_index: int | None
    published_at: datetime | None
    published_revision: int | None
    timeline: list[TimelineRow]
