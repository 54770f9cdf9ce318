"""Bodies of /api/v1/escalation-policies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Target(BaseModel):
    """Who a step pages: a person, or whoever a schedule has on call."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["person", "schedule"]
    id: str = Field(min_length=1, max_length=32)


class Step(BaseModel):
    """Wait delay_minutes (after the previous step), then page the targets."""

    model_config = ConfigDict(extra="forbid")

    delay_minutes: float = Field(ge=0, le=7 * 24 * 60, allow_inf_nan=False)
    targets: list[Target] = Field(min_length=1, max_length=50)


class PolicyCreate(BaseModel):
    """POST /api/v1/escalation-policies."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    steps: list[Step] = Field(min_length=1, max_length=20)
    repeat: int = Field(default=0, ge=0, le=10)


class PolicyUpdate(BaseModel):
    """PATCH /api/v1/escalation-policies/{id}."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    steps: list[Step] | None = Field(default=None, min_length=1, max_length=20)
    repeat: int | None = Field(default=None, ge=0, le=10)


class PolicyRead(BaseModel):
    """An escalation policy."""

    id: str
    name: str
    steps: list[Step]
    repeat: int
    created_at: datetime
    updated_at: datetime
