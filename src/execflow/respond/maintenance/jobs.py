"""The outbox job of maintenance windows: a window ended (or was cancelled)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from execflow.outbox import Job


@dataclass(frozen=True)
class WindowEnded(Job):
    """Look again at what the window held back: monitors still down act now."""

    KIND: ClassVar[str] = "maintenance.ended"
    maintenance_id: str
    ends_at: str | None = None
    """The end this timer was queued for (a moved window has a newer timer)."""
    component_ids: list[str] = field(default_factory=list)
    """For a cancelled window, whose row is gone."""
