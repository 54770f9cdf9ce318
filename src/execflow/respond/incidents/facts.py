"""What a page says about an incident, read as plain columns instead of a loaded object."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from execflow.respond.incidents.models import Incident


@dataclass(frozen=True)
class Facts:
    """An incident's identity and headline, as a page snapshot needs them."""

    id: str
    title: str
    severity: str
    status: str
    summary: str
    created_at: datetime
    source: str = "manual"
    service_id: str | None = None

    @classmethod
    def of(cls, incident: Incident) -> Facts:
        """The facts of a loaded incident."""
        return cls(
            incident.id,
            incident.title,
            incident.severity,
            incident.status,
            incident.summary,
            incident.created_at,
            incident.source,
            incident.service_id,
        )


COLUMNS = (
    Incident.id,
    Incident.title,
    Incident.severity,
    Incident.status,
    Incident.summary,
    Incident.created_at,
    Incident.source,
    Incident.service_id,
)
"""The columns Facts is built from, in order."""
