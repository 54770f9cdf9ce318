"""Request and response bodies of the catalog."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from execflow.access.roles import Role
from execflow.ids import RowId
from execflow.respond.severity import Severity

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ComponentStatus(StrEnum):
    """Statuspage component statuses."""

    OPERATIONAL = "operational"
    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"
    UNDER_MAINTENANCE = "under_maintenance"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def check_timezone(value: str) -> str:
    """An IANA time zone name, or ValueError."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


class ComponentCreate(_In):
    """POST /api/v1/components."""

    name: str = Field(min_length=1, max_length=200)
    group: str | None = Field(default=None, max_length=200)
    description: str = Field(default="", max_length=5000)
    status: ComponentStatus = ComponentStatus.OPERATIONAL
    position: int = 0


class ComponentUpdate(_In):
    """PATCH /api/v1/components/{id}."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    group: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    status: ComponentStatus | None = None
    position: int | None = None


class ComponentRead(BaseModel):
    """A component."""

    id: str
    name: str
    group: str | None
    group_id: str | None
    description: str
    status: ComponentStatus
    position: int
    created_at: datetime
    updated_at: datetime


class _PersonChecks(_In):
    @field_validator("email", check_fields=False)
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL_RE.match(value):
            raise ValueError("not an e-mail address")
        return value

    @field_validator("timezone", check_fields=False)
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)

    @field_validator("webhook_url", check_fields=False)
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("webhook_url must be an http(s) URL")
        return value


class PersonCreate(_PersonChecks):
    """POST /api/v1/people."""

    name: str = Field(min_length=1, max_length=200)
    email: str = Field(max_length=320)
    timezone: str = "UTC"
    webhook_url: str | None = Field(default=None, max_length=2000)
    role: Role | None = None
    """Console role; null (the default): cannot sign in to the console."""


class PersonUpdate(_PersonChecks):
    """PATCH /api/v1/people/{id}."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    timezone: str | None = None
    webhook_url: str | None = Field(default=None, max_length=2000)
    role: Role | None = None
    """Console role; null takes console access away."""


class PersonRead(BaseModel):
    """A person."""

    id: str
    name: str
    email: str
    timezone: str
    webhook_url: str | None
    webhook_secret: str | None = None
    """Signs this person's webhook pages; shown to admins only, masked for other roles."""
    role: Role | None = None
    created_at: datetime


class ServiceCreate(_In):
    """POST /api/v1/services."""

    name: str = Field(min_length=1, max_length=200)
    escalation_policy_id: RowId | None = None
    component_ids: list[RowId] = Field(default_factory=list, max_length=200)
    default_severity: Severity = Severity.P3


class ServiceUpdate(_In):
    """PATCH /api/v1/services/{id}."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    escalation_policy_id: RowId | None = None
    component_ids: list[RowId] | None = Field(default=None, max_length=200)
    default_severity: Severity | None = None


class ServiceRead(BaseModel):
    """A service; integration_key is generated, read-only, and masked except for admins."""

    id: str
    name: str
    escalation_policy_id: str | None
    component_ids: list[str]
    integration_key: str
    default_severity: Severity
    created_at: datetime
