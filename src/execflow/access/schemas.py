"""Token request and response bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from execflow.access.roles import Role


class TokenCreate(BaseModel):
    """POST /api/v1/tokens."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    role: Role


class TokenRead(BaseModel):
    """A token as listed; never its secret."""

    id: str
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None


class TokenCreated(TokenRead):
    """A new token, with its secret shown this once."""

    token: str
