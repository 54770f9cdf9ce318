"""Bodies of /api/v1/schedules."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from execflow.ids import RowId
from execflow.respond.catalog.schemas import check_timezone
from execflow.respond.oncall.rotation import parse_duration

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class RestrictionIn(BaseModel):
    """A weekly window in the schedule's zone; end at or before start runs past midnight."""

    model_config = ConfigDict(extra="forbid")

    days: list[Weekday] = Field(min_length=1, max_length=7)
    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError("times are HH:MM, 00:00 to 23:59")
        return value


class LayerIn(BaseModel):
    """A rotation: members take turns every `rotation`, from `start` (local if no offset)."""

    model_config = ConfigDict(extra="forbid")

    start: datetime
    rotation: str = Field(examples=["P1W", "P1D", "PT12H"])
    members: list[str] = Field(min_length=1, max_length=100)
    restrictions: list[RestrictionIn] = Field(default_factory=list, max_length=50)

    @field_validator("rotation")
    @classmethod
    def _rotation(cls, value: str) -> str:
        parse_duration(value)
        return value


class OverrideIn(BaseModel):
    """Someone on call instead, from start to end."""

    model_config = ConfigDict(extra="forbid")

    start: datetime
    end: datetime
    person_id: RowId

    @model_validator(mode="after")
    def _ordered(self) -> OverrideIn:
        if self.end <= self.start:
            raise ValueError("an override ends after it starts")
        return self


class ScheduleCreate(BaseModel):
    """POST /api/v1/schedules."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    timezone: str = "UTC"
    layers: list[LayerIn] = Field(default_factory=list, max_length=20)
    overrides: list[OverrideIn] = Field(default_factory=list, max_length=500)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        return check_timezone(value)


class ScheduleUpdate(BaseModel):
    """PATCH /api/v1/schedules/{id}."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    timezone: str | None = None
    layers: list[LayerIn] | None = Field(default=None, max_length=20)
    overrides: list[OverrideIn] | None = Field(default=None, max_length=500)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)


class RestrictionOut(BaseModel):
    """A stored restriction."""

    days: list[Weekday]
    start: str
    end: str


class LayerOut(BaseModel):
    """A stored layer; start is local wall-clock time in the schedule's zone."""

    start: str
    rotation: str
    members: list[str]
    restrictions: list[RestrictionOut]


class OverrideOut(BaseModel):
    """A stored override (UTC)."""

    start: datetime
    end: datetime
    person_id: str


class ScheduleRead(BaseModel):
    """A schedule."""

    id: str
    name: str
    timezone: str
    layers: list[LayerOut]
    overrides: list[OverrideOut]
    created_at: datetime
    updated_at: datetime


class OnCallRead(BaseModel):
    """GET /api/v1/schedules/{id}/oncall."""

    schedule_id: str
    at: datetime
    person_id: str | None
    source: Literal["override", "layer"] | None
    layer: int | None
