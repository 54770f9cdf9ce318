"""Bodies of the audit endpoints."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SubjectIn(BaseModel):
    """What an outside event is about."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(min_length=1, max_length=50, pattern=r"^[a-z][a-z0-9_]*$")
    id: str = Field(min_length=1, max_length=100)


class AuditEventIn(BaseModel):
    """POST /api/v1/audit/events."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(pattern=r"^custom\.[a-z0-9_]+(\.[a-z0-9_]+)*$", max_length=100)
    subject: SubjectIn
    data: dict[str, Any] = Field(default_factory=dict)


class AuditEventOut(BaseModel):
    """The index the event was logged at."""

    index: int


class ProofOut(BaseModel):
    """An inclusion proof."""

    index: int
    size: int
    hashes: list[str]


class ConsistencyOut(BaseModel):
    """A consistency proof."""

    old: int
    new: int
    hashes: list[str]


class VerifyOut(BaseModel):
    """The server's own full re-check of the log."""

    ok: bool
    size: int
    root: str
    first_bad_index: int | None
    message: str
