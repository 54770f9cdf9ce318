"""What a page says about an incident: a plain snapshot, built by the incidents package."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
